import type { Knex } from '@mikro-orm/knex';
import type { Dialect } from '../db/orm.js';

export type Trx = Knex.Transaction | Knex;

/** knex.raw answers with driver-shaped results; this returns the rows on both engines. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: T[] } | null)?.rows;
  return rows ?? [];
}

/**
 * The guard that makes an upsert state-based: the incoming state replaces the stored one only when
 * its version is greater; a deletion also wins a tie (Chargebee may not bump the version to delete).
 */
export function versionGuard(table: string): string {
  // Written so it reads the same on both engines: SQLite's 0/1 booleans work with AND/NOT as well.
  return `${table}.resource_version < excluded.resource_version`
    + ` or (excluded.deleted and not ${table}.deleted and ${table}.resource_version = excluded.resource_version)`;
}

/** Numbers come back as strings from PostgreSQL bigint columns. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : Number(value);
}

/** Drivers hand back dates as Date (PostgreSQL), epoch milliseconds (SQLite) or text. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') return /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  return null;
}

export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

export function isPostgres(dialect: Dialect): boolean {
  return dialect === 'postgresql';
}
