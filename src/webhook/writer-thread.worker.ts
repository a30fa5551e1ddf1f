/**
 * The webhook writer thread (see writer-thread.ts): connections of its own, and the same ingest path
 * as the main thread would run, for events the main thread prepared. On SQLite (one writer) batches
 * are written one at a time, in the order they arrive; on PostgreSQL each runs as it arrives, on a
 * connection of the thread's pool. Each is answered once its transaction has committed (or failed).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Knex } from '@mikro-orm/knex';
import { ingestPrepared } from '../sync/ingest.js';
import { postgresPool, sqlitePool } from './writer-pools.js';
import type { SyncDeps } from '../sync/sync-deps.js';
import type { WriterData, WriterReply, WriterRequest } from './writer-thread.js';

const port = parentPort;
if (!port) throw new Error('writer-thread.worker must run as a worker thread');
const data = workerData as WriterData;
const pool = data.dialect === 'sqlite' ? sqlitePool(data) : postgresPool(data.location, data.poolMax);
// ingestPrepared reaches the database only through inTransaction, which uses nothing but the pool.
const deps: SyncDeps = { knex: { client: pool } as unknown as Knex, dialect: data.dialect, fallbackToCustomerId: data.fallbackToCustomerId };

async function write(request: Extract<WriterRequest, { type: 'batch' }>): Promise<WriterReply> {
  try {
    return { type: 'results', id: request.id, results: await ingestPrepared(deps, request.events, request.origin) };
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    return {
      type: 'failed', id: request.id,
      error: {
        name: error instanceof Error ? error.name : 'Error',
        message: error instanceof Error ? error.message : String(error),
        ...(typeof code === 'string' ? { code } : {}),
      },
    };
  }
}

// SQLite: one batch after the other. PostgreSQL: every batch at once (the queue bounds how many).
let sqliteTail = Promise.resolve();
const inFlight = new Set<Promise<void>>();
port.on('message', (request: WriterRequest) => {
  if (request.type === 'close') {
    void Promise.allSettled([sqliteTail, ...inFlight]).then(async () => {
      await pool.end().catch(() => undefined);
      port.close();
    });
    return;
  }
  const run = async () => {
    const reply = await write(request);
    try {
      port.postMessage(reply);
    } catch (error) {
      // Every batch must be answered, or its senders would wait for ever.
      port.postMessage({ type: 'failed', id: request.id, error: { name: 'Error', message: `the outcome could not be sent back: ${String(error)}` } } satisfies WriterReply);
    }
  };
  if (data.dialect === 'sqlite') {
    // A failure here must not stop the batches queued behind this one.
    sqliteTail = sqliteTail.then(run).catch(() => undefined);
    return;
  }
  const running = run();
  inFlight.add(running);
  void running.finally(() => inFlight.delete(running));
});
port.postMessage({ type: 'ready' } satisfies WriterReply);
