import type { RepairKind } from '../db/entities/index.js';
import type { Dialect } from '../db/orm.js';
import { toBool, toNumber, type Trx } from '../sync/db-helpers.js';
import { sqlOf } from '../sync/sql.js';
import { tableOf, type ListedEntity } from './types.js';

/** What the database holds of a resource: enough to tell whether a Chargebee state is newer. */
export interface StoredState {
  version: number;
  deleted: boolean;
}

/** What Chargebee says now. */
export interface IncomingState {
  version: number;
  deleted: boolean;
}

/**
 * Whether applying the incoming state would repair the row, and how. Mirrors the apply path's version
 * guard (greater version wins; a deletion also wins a tie), so "needs repair" and "apply changes it" agree.
 */
export function repairKindFor(stored: StoredState | undefined, incoming: IncomingState): RepairKind | null {
  if (stored === undefined) return 'missing';
  const deletes = incoming.deleted && !stored.deleted;
  if (incoming.version > stored.version) return deletes ? 'deleted_upstream' : 'stale';
  if (incoming.version === stored.version && deletes) return 'deleted_upstream';
  return null;
}

/** The two states differ (used to tell what an apply actually changed). */
export function stateChanged(before: StoredState | undefined, after: StoredState | undefined): boolean {
  if (after === undefined) return false;
  return before === undefined || before.version !== after.version || before.deleted !== after.deleted;
}

// Ids per statement on SQLite, well under its bound-parameter limit; PostgreSQL takes them all as one array.
const CHUNK = 500;

/** Stored version and deletion flag for many ids in one statement (per 500 ids on SQLite), never a query per row. */
export async function storedStates(trx: Trx, dialect: Dialect, entity: ListedEntity, ids: readonly string[]): Promise<Map<string, StoredState>> {
  const states = new Map<string, StoredState>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return states;
  const sql = await sqlOf(trx, dialect);
  const select = `select id, resource_version, deleted from ${tableOf[entity]} where id`;
  const chunks = dialect === 'postgresql' ? [unique] : Array.from({ length: Math.ceil(unique.length / CHUNK) }, (_, i) => unique.slice(i * CHUNK, (i + 1) * CHUNK));
  for (const chunk of chunks) {
    const rows = dialect === 'postgresql'
      ? await sql.query<{ id: string; resource_version: unknown; deleted: unknown }>(`${select} = any(?::text[])`, [chunk])
      : await sql.query<{ id: string; resource_version: unknown; deleted: unknown }>(`${select} in (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const row of rows) states.set(row.id, { version: toNumber(row.resource_version) ?? 0, deleted: toBool(row.deleted) });
  }
  return states;
}
