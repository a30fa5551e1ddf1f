import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { initOrm, migrate, pendingMigrations } from '../../src/db/orm.js';
import { postgresMigrations } from '../../src/db/migrations/postgresql/index.js';

describe.each(testDialects())('migrations on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, { migrate: false });
  });
  afterAll(() => db.destroy());

  it('bring an empty database to exactly the schema the entities describe', async () => {
    expect((await pendingMigrations(db.orm)).length).toBeGreaterThan(0);
    await migrate(db.orm);
    expect(await pendingMigrations(db.orm)).toEqual([]);
    const diff = await db.orm.getSchemaGenerator().getUpdateSchemaMigrationSQL({ wrap: false });
    expect(diff.up.trim()).toBe('');
  });

  it('are idempotent, and roll back one at a time and forward again', async () => {
    expect(await migrate(db.orm)).toEqual([]);
    const all = (await db.orm.getMigrator().getExecutedMigrations()).length;
    for (let i = all - 1; i >= 1; i--) {
      await db.orm.getMigrator().down();
      // Rolling back a later migration leaves the tables of the first in place.
      expect(await db.sync.knex.schema.hasTable('customer')).toBe(true);
    }
    await db.orm.getMigrator().down({ to: 0 });
    expect((await pendingMigrations(db.orm)).length).toBeGreaterThan(0);
    await migrate(db.orm);
    const diff = await db.orm.getSchemaGenerator().getUpdateSchemaMigrationSQL({ wrap: false });
    expect(diff.up.trim()).toBe('');
  });
});

describe.skipIf(!testDialects().includes('postgresql'))('migrations with several replicas', () => {
  it('let replicas starting together on an empty database all come up', async () => {
    const empty = await createEmptyDatabase('postgresql');
    const orms = await Promise.all([0, 1, 2].map(() => initOrm({ target: { dialect: 'postgresql', location: empty.url } })));
    try {
      const applied = await Promise.all(orms.map((orm) => migrate(orm)));
      // One replica applied every migration; the others waited, then found nothing to do.
      expect(applied.map((names) => names.length).sort()).toEqual([0, 0, postgresMigrations.length]);
    } finally {
      await Promise.all(orms.map((orm) => orm.close(true)));
      await empty.drop();
    }
  });
});

describe.skipIf(!testDialects().includes('postgresql'))('the inbox payload column (PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgresql', { migrate: false });
  });
  afterAll(() => db.destroy());

  const column = async () => (await db.sync.knex.raw(
    "select format_type(atttypid, null) as type, attcompression as compression from pg_attribute where attrelid = 'webhook_event'::regclass and attname = 'payload'",
  )).rows[0] as { type: string; compression: string };
  const lz4 = async () => (await db.sync.knex.raw("select 'lz4' = any(enumvals) as yes from pg_settings where name = 'default_toast_compression'")).rows[0]?.yes === true;

  it('keeps payloads stored before m004, and stores them as json text, compressed with lz4 where the server has it', async () => {
    await db.orm.getMigrator().up({ to: 'm003_20261127' });
    expect((await column()).type).toBe('jsonb');
    await db.sync.knex.raw(
      "insert into webhook_event (event_id, event_type, occurred_at, received_at, origin, status, payload) values ('ev_old', 'customer_created', now(), now(), 'webhook', 'applied', ?::jsonb)",
      [JSON.stringify({ id: 'ev_old', content: { customer: { id: 'c1' } } })],
    );
    await migrate(db.orm);
    expect(await column()).toEqual({ type: 'json', compression: (await lz4()) ? 'l' : '' });
    const old = (await db.sync.knex.raw("select payload from webhook_event where event_id = 'ev_old'")).rows[0] as { payload: unknown };
    expect(old.payload).toEqual({ id: 'ev_old', content: { customer: { id: 'c1' } } });
    // json keeps the text as sent (jsonb would reorder keys and drop the spaces).
    const sent = '{"z": 1, "a": {"b": 2}}';
    await db.sync.knex.raw(
      "insert into webhook_event (event_id, event_type, occurred_at, received_at, origin, status, payload) values ('ev_new', 'customer_created', now(), now(), 'webhook', 'applied', ?::json)",
      [sent],
    );
    expect((await db.sync.knex.raw("select payload::text as text from webhook_event where event_id = 'ev_new'")).rows[0]).toEqual({ text: sent });
  });
});
