/**
 * The webhook writer thread (see writer-thread.ts): connections of its own, and the same ingest path
 * as the main thread would run, for events the main thread prepared. On SQLite (one writer) batches
 * are written one at a time, in the order they arrive; on PostgreSQL each runs as it arrives, on a
 * connection of the thread's pool. Each is answered once its transaction has committed (or failed).
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { Knex } from '@mikro-orm/knex';
import pg from 'pg';
import { setUpSqliteConnection } from '../db/sqlite-connection.js';
import { ingestPrepared } from '../sync/ingest.js';
import type { SyncDeps } from '../sync/sync-deps.js';
import type { WriterData, WriterReply, WriterRequest } from './writer-thread.js';

/** The pool `inTransaction` (sync/sql.ts) takes its connection from, as knex's pool offers it. */
interface Pool {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
  end(): Promise<void>;
}

/** inTransaction marks a connection whose rollback failed: it must not be used again. */
const disposed = (connection: unknown) => (connection as { __knex__disposed?: unknown }).__knex__disposed;

interface SqliteConnection {
  prepare(sql: string): unknown;
  pragma(source: string): unknown;
  close(): void;
}
type DatabaseConstructor = new (path: string, options: { fileMustExist: boolean }) => SqliteConnection;

/** One connection, opened again after one was disposed. */
function sqlitePool(data: WriterData): Pool {
  const Database = createRequire(import.meta.url)(data.driver) as DatabaseConstructor;
  const open = () => {
    const opened = new Database(data.location, { fileMustExist: true });
    setUpSqliteConnection(opened);
    // As MikroORM sets it on the main thread's connection.
    opened.pragma('foreign_keys = on');
    return opened;
  };
  let connection: SqliteConnection | null = open();
  return {
    acquireConnection: async () => (connection ??= open()),
    releaseConnection: async (released) => {
      if (disposed(released) === undefined) return;
      if (connection === released) connection = null;
      try {
        (released as SqliteConnection).close();
      } catch {
        // Already unusable; it is dropped either way.
      }
    },
    end: async () => {
      connection?.close();
      connection = null;
    },
  };
}

/** node-postgres' pool, with the type parsing MikroORM gives the main thread's connections. */
function postgresPool(data: WriterData): Pool {
  const types = new pg.TypeOverrides();
  for (const oid of [1082, 1114, 1184, 1186]) types.setTypeParser(oid, (text: string) => text); // date, timestamp(tz), interval
  // Pipeline mode: a statement whose answer the batch does not wait for (BEGIN, the status update)
  // goes out with the next one, saving a round trip each (sync/sql.ts).
  const pool = new pg.Pool({ connectionString: data.location, max: data.poolMax, connectionTimeoutMillis: 5_000, types, pipeline: true });
  // An idle connection the server closed (a restart, a terminated backend): the pool drops it by itself.
  pool.on('error', () => undefined);
  return {
    acquireConnection: () => pool.connect(),
    releaseConnection: async (connection) => {
      const broken = disposed(connection);
      // A truthy argument makes the pool close the connection instead of keeping it.
      (connection as pg.PoolClient).release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
    },
    end: () => pool.end(),
  };
}

const port = parentPort;
if (!port) throw new Error('writer-thread.worker must run as a worker thread');
const data = workerData as WriterData;
const pool = data.dialect === 'sqlite' ? sqlitePool(data) : postgresPool(data);
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
