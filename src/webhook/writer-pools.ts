/**
 * The connection pools of the webhook writer thread (writer-thread.worker.ts), as `inTransaction`
 * (sync/sql.ts) uses them: a connection to acquire and release, as knex's pool offers it.
 */
import { createRequire } from 'node:module';
import pg from 'pg';
import { setUpSqliteConnection } from '../db/sqlite-connection.js';
import { disposalOf, type TransactionPool } from '../sync/sql.js';
import type { WriterData } from './writer-thread.js';

/** A pool `inTransaction` takes its connections from, and that the thread closes when it stops. */
export interface Pool extends TransactionPool {
  end(): Promise<void>;
}

interface SqliteConnection {
  prepare(sql: string): unknown;
  pragma(source: string): unknown;
  close(): void;
}
type DatabaseConstructor = new (path: string, options: { fileMustExist: boolean }) => SqliteConnection;

/** One connection, opened again after one was disposed. */
export function sqlitePool(data: Pick<WriterData, 'driver' | 'location'>): Pool {
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
      if (disposalOf(released) === undefined) return;
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

/**
 * node-postgres' pool, with the type parsing MikroORM gives the main thread's connections. Wrapped
 * as `{ client: postgresPool(…) }`, it is the `knex` of SyncDeps for inTransaction.
 */
export function postgresPool(location: string, max: number): Pool {
  const types = new pg.TypeOverrides();
  for (const oid of [1082, 1114, 1184, 1186]) types.setTypeParser(oid, (text: string) => text); // date, timestamp(tz), interval
  // Pipeline mode: a statement whose answer the batch does not wait for (BEGIN, the status update)
  // goes out with the next one, saving a round trip each (sync/sql.ts).
  const pool = new pg.Pool({ connectionString: location, max, connectionTimeoutMillis: 5_000, types, pipeline: true });
  // An idle connection the server closed (a restart, a terminated backend): the pool drops it by itself.
  pool.on('error', () => undefined);
  return {
    acquireConnection: () => pool.connect(),
    releaseConnection: async (connection) => {
      const broken = disposalOf(connection);
      // A truthy argument makes the pool close the connection instead of keeping it.
      (connection as pg.PoolClient).release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
    },
    end: () => pool.end(),
  };
}
