import pg from 'pg';
import type { Knex } from '@mikro-orm/knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmptyDatabase, testDialects } from '../support/databases.js';
import { inTransaction } from '../../src/sync/sql.js';

/**
 * inTransaction on a pipelined node-postgres connection (the webhook writer thread's pool): BEGIN
 * and statements sent with `send` go out without waiting for their answer, and a failure among them
 * must still fail the transaction, with its own error, and commit nothing.
 */
describe.skipIf(!testDialects().includes('postgresql'))('transactions on a pipelined PostgreSQL connection', () => {
  let db: { url: string; drop(): Promise<void> };
  let pool: pg.Pool;
  let knex: Knex;
  const rows = async () => (await pool.query<{ id: number }>('select id from pipe_t order by id')).rows.map((r) => r.id);

  beforeAll(async () => {
    db = await createEmptyDatabase('postgresql');
    pool = new pg.Pool({ connectionString: db.url, max: 2, pipeline: true });
    knex = { client: { acquireConnection: () => pool.connect(), releaseConnection: async (c: pg.PoolClient) => c.release() } } as unknown as Knex;
    await pool.query('create table pipe_t (id int primary key)');
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  beforeEach(async () => {
    await pool.query('delete from pipe_t');
  });

  it('commits what was sent without being awaited', async () => {
    const result = await inTransaction(knex, 'postgresql', async (sql) => {
      await sql.query('insert into pipe_t (id) values (?)', [1]);
      await sql.send('insert into pipe_t (id) values (?)', [2]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await rows()).toEqual([1, 2]);
  });

  it('fails at COMMIT with the error of a sent statement, and commits nothing', async () => {
    const failed = await inTransaction(knex, 'postgresql', async (sql) => {
      await sql.query('insert into pipe_t (id) values (?)', [1]);
      await sql.send('insert into pipe_t (id) values (?)', [1]);
    }).then(() => null, (error: unknown) => error);
    // The duplicate key itself, not "current transaction is aborted" or a COMMIT that rolled back.
    expect((failed as { code?: string } | null)?.code).toBe('23505');
    expect(await rows()).toEqual([]);
  });

  it('fails the next statement with the error of the sent one before it', async () => {
    let next: unknown = null;
    const failed = await inTransaction(knex, 'postgresql', async (sql) => {
      await sql.send('insert into pipe_t (id) values (?)', ['not a number']);
      next = await sql.query('select count(*) from pipe_t').then(() => null, (error: unknown) => error);
      throw next;
    }).then(() => null, (error: unknown) => error);
    expect((next as { code?: string } | null)?.code).toBe('22P02');
    expect(failed).toBe(next);
    expect(await rows()).toEqual([]);
    // The connection is usable again: the next transaction commits.
    await inTransaction(knex, 'postgresql', (sql) => sql.send('insert into pipe_t (id) values (?)', [3]));
    expect(await rows()).toEqual([3]);
  });
});
