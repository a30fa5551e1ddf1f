import type { Sql } from './sql.js';

/**
 * Transaction-scoped PostgreSQL advisory locks on names, taken in sorted order so that concurrent
 * batches never wait on each other in a cycle. SQLite has a single writer and needs none.
 */
export async function lockNames(sql: Sql, names: readonly string[], held?: ReadonlySet<string>): Promise<void> {
  if (sql.dialect !== 'postgresql') return;
  const missing = held === undefined ? names : names.filter((name) => !held.has(name));
  if (missing.length === 0) return;
  await sql.query(`select ${lockSelect}`, [sortedLockNames(missing)]);
}

/** Lock names as lockNames sends them: once each, sorted. */
export const sortedLockNames = (names: readonly string[]): string[] => [...new Set(names)].sort();

/**
 * The select list that takes the locks of one `text[]` parameter of sorted names (its value: the
 * number of names), for statements that take them along with other work.
 */
export const lockSelect = 'count(pg_advisory_xact_lock(hashtext(s.k))) from (select k from unnest(?::text[]) as t(k) order by k) s';

export const customerLock = (id: string) => `customer:${id}`;
/** Taken by the customer apply before reading signups and by recordSignup before writing one. */
export const customerKeyLock = (key: string) => `customer_key:${key}`;
