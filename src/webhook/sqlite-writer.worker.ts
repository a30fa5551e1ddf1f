/**
 * The SQLite writer thread (see sqlite-writer.ts): its own connection to the database file, and the
 * same ingest path as the main thread uses on PostgreSQL, for events the main thread prepared. Batches are written one at a time, in the
 * order they arrive; each is answered once its transaction has committed (or failed).
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { Knex } from '@mikro-orm/knex';
import { setUpSqliteConnection } from '../db/sqlite-connection.js';
import { ingestPrepared } from '../sync/ingest.js';
import type { SyncDeps } from '../sync/sync-deps.js';
import type { WriterData, WriterReply, WriterRequest } from './sqlite-writer.js';

interface Connection {
  prepare(sql: string): unknown;
  pragma(source: string): unknown;
  close(): void;
  __knex__disposed?: unknown;
}
type DatabaseConstructor = new (path: string, options: { fileMustExist: boolean }) => Connection;

const port = parentPort;
if (!port) throw new Error('sqlite-writer.worker must run as a worker thread');
const data = workerData as WriterData;
const Database = createRequire(import.meta.url)(data.driver) as DatabaseConstructor;

function open(): Connection {
  const connection = new Database(data.path, { fileMustExist: true });
  setUpSqliteConnection(connection);
  // As MikroORM sets it on the main thread's connection.
  connection.pragma('foreign_keys = on');
  return connection;
}

let connection: Connection | null = open();

/**
 * The one connection, shaped as the pool `inTransaction` (sync/sql.ts) takes it from. A connection
 * whose rollback failed is marked disposed there: it is closed, and the next batch opens another.
 */
const pool = {
  acquireConnection: async (): Promise<Connection> => (connection ??= open()),
  releaseConnection: async (released: Connection): Promise<void> => {
    if (released.__knex__disposed === undefined) return;
    if (connection === released) connection = null;
    try {
      released.close();
    } catch {
      // Already unusable; it is dropped either way.
    }
  },
};
// ingestPrepared reaches the database only through inTransaction, which uses nothing but the pool.
const deps: SyncDeps = { knex: { client: pool } as unknown as Knex, dialect: 'sqlite', fallbackToCustomerId: data.fallbackToCustomerId };

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

let tail = Promise.resolve();
port.on('message', (request: WriterRequest) => {
  if (request.type === 'close') {
    tail = tail.then(() => {
      connection?.close();
      connection = null;
      port.close();
    });
    return;
  }
  tail = tail.then(async () => port.postMessage(await write(request)));
});
port.postMessage({ type: 'ready' } satisfies WriterReply);
