import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { postWebhook, startTestApp } from '../support/app.js';
import { count, one } from '../support/rows.js';
import { customer, envelope } from '../support/events.js';
import type { App } from '../../src/app.js';
import { WriterThread, WriterStoppedError } from '../../src/webhook/writer-thread.js';
import type { EventEnvelope } from '../../src/sync/chargebee-schema.js';

/** The webhook writer thread (src/webhook/writer-thread.ts), the default on both engines. */

interface RawConnection {
  exec(sql: string): void;
  pragma(source: string): unknown;
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => RawConnection;

const fileOf = (db: TestDatabase) => db.url.replace(/^sqlite:/, '');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Another connection holding SQLite's write lock, as a second process writing would. */
function holdWriteLock(db: TestDatabase): { release(): void } {
  const other = new Database(fileOf(db));
  other.exec('begin immediate');
  return {
    release() {
      other.exec('rollback');
      other.close();
    },
  };
}

describe('SQLite webhook writer thread, through the service', () => {
  let db: TestDatabase;
  let app: App;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    app = await startTestApp(db);
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });
  beforeEach(() => db.reset());

  it('stores concurrent events, each answered after its commit', async () => {
    const events = Array.from({ length: 40 }, (_, i) => envelope('customer_changed', { customer: customer(`c_${i % 8}`, 1_700_000_000_000 + i) }));
    const answers = await Promise.all(events.map((event) => postWebhook(app, event)));
    expect(answers.map((a) => a.status)).toEqual(events.map(() => 200));
    expect(await count(db, 'webhook_event')).toBe(40);
    // Whatever the batching, the newest version of each customer won.
    expect(await one(db, 'customer', 'c_3')).toMatchObject({ resource_version: 1_700_000_000_000 + 35 });
  });

  it('answers 503 and stores nothing while another connection holds the write lock past busy_timeout, then recovers', async () => {
    const lock = holdWriteLock(db);
    let res;
    try {
      res = await postWebhook(app, envelope('customer_created', { customer: customer('c_locked', 1_700_000_000_000) }, { id: 'ev_locked' }));
    } finally {
      lock.release();
    }
    expect(res.status).toBe(503);
    expect(await count(db, 'webhook_event')).toBe(0);
    const retried = await postWebhook(app, envelope('customer_created', { customer: customer('c_locked', 1_700_000_000_000) }, { id: 'ev_locked' }));
    expect(retried).toMatchObject({ status: 200, body: { status: 'applied', duplicate: false } });
    expect(await count(db, 'webhook_event')).toBe(1);
  }, 20_000);

  it('lets a main-thread transaction that reads, waits and then writes commit while webhooks are written', async () => {
    // knex begins DEFERRED; rewritten to IMMEDIATE (db/sqlite-connection.ts), the read takes the write
    // lock with it and the thread waits. DEFERRED, the write after the thread's commit fails SQLITE_BUSY.
    let posted: Promise<{ status: number }> | null = null;
    await db.sync.knex.transaction(async (trx) => {
      await trx('webhook_event').count({ n: '*' });
      posted = postWebhook(app, envelope('customer_created', { customer: customer('c_meanwhile', 1_700_000_000_000) }));
      await sleep(300);
      await trx('sync_state').insert({ key: 'test', value: '{}', updated_at: new Date() });
    });
    expect((await (posted as unknown as Promise<{ status: number }>)).status).toBe(200);
    expect(await count(db, 'sync_state')).toBe(1);
    expect(await count(db, 'customer', { id: 'c_meanwhile' })).toBe(1);
  });
});

describe.each(testDialects())('webhook writer thread on %s, on its own', (dialect) => {
  let db: TestDatabase;
  let writer: WriterThread;
  const stops: string[] = [];
  const start = (onStopped?: (reason: string) => void) => WriterThread.start({
    dialect, location: dialect === 'sqlite' ? fileOf(db) : db.url, poolMax: 2, fallbackToCustomerId: false, ...(onStopped ? { onStopped } : {}),
  });

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    writer = await start((reason) => stops.push(reason));
  });
  afterAll(async () => {
    await writer.stop();
    await db.destroy();
  });

  const item = (id: string) => {
    const event = envelope('customer_created', { customer: customer(`c_${id}`, 1_700_000_000_000) }, { id }) as unknown as EventEnvelope;
    return { event, payload: event, payloadText: JSON.stringify(event) };
  };
  const threadOf = (w: WriterThread) => (w as unknown as { worker: Worker | null }).worker;

  it('writes concurrent batches, each event once, duplicates told apart', async () => {
    const batches = await Promise.all([
      writer.ingest([item('ev_a1'), item('ev_a2')], 'webhook'),
      writer.ingest([item('ev_b1'), item('ev_a1')], 'webhook'),
      writer.ingest([item('ev_c1')], 'webhook'),
    ]);
    const results = batches.flat();
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect(results.filter((r) => r.eventId === 'ev_a1').map((r) => r.duplicate).sort()).toEqual([false, true]);
    expect(await count(db, 'webhook_event')).toBe(4);
    expect(await count(db, 'customer')).toBe(4);
  });

  it('starts another thread when its thread dies, and what the dead one held is stored once at most', async () => {
    // SQLite: blocked on another connection's write lock, so the batch is in the thread when it ends.
    const lock = dialect === 'sqlite' ? holdWriteLock(db) : null;
    const inFlight = writer.ingest([item('ev_inflight')], 'webhook');
    await sleep(dialect === 'sqlite' ? 100 : 5);
    const terminated = threadOf(writer)?.terminate();
    lock?.release();
    await terminated;
    const settled = await inFlight.then(() => 'committed', (error: unknown) => error);
    // Either answered before the thread ended, or refused (the sender retries): never left hanging.
    if (settled !== 'committed') expect(settled).toBeInstanceOf(WriterStoppedError);
    expect(stops).toHaveLength(1);

    const [retry] = await writer.ingest([item('ev_inflight')], 'webhook');
    expect(retry?.status).toBe('applied');
    // Answered: the retry is a duplicate. Refused: the thread may have ended before or after its
    // COMMIT reached the server (the sender's retry is then a duplicate), never with half of it.
    if (settled === 'committed') expect(retry?.duplicate).toBe(true);
    expect(await count(db, 'webhook_event', { event_id: 'ev_inflight' })).toBe(1);
    expect(await count(db, 'customer', { id: 'c_ev_inflight' })).toBe(1);
  }, 20_000);

  it.runIf(dialect === 'sqlite')('answers a batch with the database error of its thread, and goes on writing', async () => {
    const lock = holdWriteLock(db);
    const failed = await writer.ingest([item('ev_busy')], 'webhook').then(() => null, (error: unknown) => error);
    lock.release();
    expect((failed as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
    const [stored] = await writer.ingest([item('ev_busy')], 'webhook');
    expect(stored).toMatchObject({ eventId: 'ev_busy', status: 'applied', duplicate: false });
  }, 20_000);

  it('refuses batches once stopping', async () => {
    const other = await start();
    await other.stop();
    await expect(other.ingest([item('ev_late')], 'webhook')).rejects.toBeInstanceOf(WriterStoppedError);
    expect(threadOf(other)).toBeNull();
  });
});
