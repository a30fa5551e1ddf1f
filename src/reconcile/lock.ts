import pg from 'pg';
import type { Dialect } from '../db/orm.js';

export interface LockHandle {
  /** Aborted when the lock can no longer be trusted (its connection died): the run stops at the next page. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface RunLock {
  /** Null when another runner holds it. */
  tryAcquire(): Promise<LockHandle | null>;
}

// Two-int advisory keys live in a different key space from the one-bigint hashtext() locks the
// apply path takes, so they can never collide. 0x43425359 is "CBSY".
const LOCK_CLASS = 0x43425359;
const LOCK_RECONCILE = 1;

/**
 * PostgreSQL: a session-level pg_try_advisory_lock on a dedicated connection, held for the run.
 * - Not transaction-level: that would need one transaction open for the whole run (hours for a full
 *   run), pinning a snapshot that holds back vacuum, while each page must commit on its own so a
 *   killed run keeps its progress.
 * - Not on a pooled connection: a session lock belongs to the connection, and a pooled one goes back
 *   to other users while still holding it.
 * If the process dies, its connection closes and PostgreSQL releases the lock: no stale lock, no lease.
 * One key for every mode: the API budget is the site's, so a single runner at a time keeps it.
 */
export function postgresRunLock(connectionString: string): RunLock {
  return {
    async tryAcquire() {
      const client = new pg.Client({ connectionString, application_name: 'chargebee-sync reconcile lock', keepAlive: true });
      const lost = new AbortController();
      client.on('error', () => lost.abort(new Error('reconcile lock connection lost')));
      await client.connect();
      try {
        const result = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [LOCK_CLASS, LOCK_RECONCILE]);
        if (result.rows[0]?.ok !== true) {
          await client.end();
          return null;
        }
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      return {
        lost: lost.signal,
        async release() {
          try {
            await client.query('select pg_advisory_unlock($1, $2)', [LOCK_CLASS, LOCK_RECONCILE]);
          } finally {
            // Closing the session releases the lock even if the unlock failed.
            await client.end().catch(() => undefined);
          }
        },
      };
    },
  };
}

const heldInProcess = new Set<string>();

/**
 * SQLite: a process-level lock keyed by the database file. SQLite deployments run one process; a second
 * process on the same file is caught by the run lease (a `running` run with a fresh heartbeat is left alone).
 */
export function processRunLock(key: string): RunLock {
  return {
    async tryAcquire() {
      if (heldInProcess.has(key)) return null;
      heldInProcess.add(key);
      return {
        lost: new AbortController().signal,
        async release() {
          heldInProcess.delete(key);
        },
      };
    },
  };
}

export function runLockFor(dialect: Dialect, databaseUrl: string): RunLock {
  return dialect === 'postgresql' ? postgresRunLock(databaseUrl) : processRunLock(databaseUrl);
}
