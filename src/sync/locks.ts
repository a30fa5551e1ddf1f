import type { Sql } from './sql.js';

/**
 * Transaction-scoped PostgreSQL advisory locks on names, taken in sorted order so that concurrent
 * batches never wait on each other in a cycle. SQLite has a single writer and needs none.
 */
export async function lockNames(sql: Sql, names: readonly string[]): Promise<void> {
  if (sql.dialect !== 'postgresql' || names.length === 0) return;
  const sorted = [...new Set(names)].sort();
  await sql.query(
    'select count(pg_advisory_xact_lock(hashtext(s.k))) from (select k from unnest(?::text[]) as t(k) order by k) s',
    [sorted],
  );
}

export const customerLock = (id: string) => `customer:${id}`;
/** Taken by the customer apply before reading signups and by recordSignup before writing one. */
export const customerKeyLock = (key: string) => `customer_key:${key}`;
