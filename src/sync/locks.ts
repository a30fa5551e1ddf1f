import type { Dialect } from '../db/orm.js';
import type { Trx } from './db-helpers.js';
import { sqlOf } from './sql.js';

/**
 * Transaction-scoped PostgreSQL advisory locks on names, taken in sorted order so that concurrent
 * batches never wait on each other in a cycle. SQLite has a single writer and needs none.
 */
export async function lockNames(trx: Trx, dialect: Dialect, names: readonly string[]): Promise<void> {
  if (dialect !== 'postgresql' || names.length === 0) return;
  const sorted = [...new Set(names)].sort();
  await (await sqlOf(trx, dialect)).query(
    'select count(pg_advisory_xact_lock(hashtext(s.k))) from (select k from unnest(?::text[]) as t(k) order by k) s',
    [sorted],
  );
}

export const customerLock = (id: string) => `customer:${id}`;
/** Taken by the customer apply before reading signups and by recordSignup before writing one. */
export const customerKeyLock = (key: string) => `customer_key:${key}`;
