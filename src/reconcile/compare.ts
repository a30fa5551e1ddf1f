import type { RepairKind } from '../db/entities/index.js';
import { rowsOf, toBool, toNumber, type Trx } from '../sync/db-helpers.js';
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

// Well under SQLite's bound-parameter limit and PostgreSQL's, for a page of 100 either way.
const CHUNK = 500;

/** Stored version and deletion flag for many ids in one statement per chunk (never a query per row). */
export async function storedStates(trx: Trx, entity: ListedEntity, ids: readonly string[]): Promise<Map<string, StoredState>> {
  const states = new Map<string, StoredState>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const rows = rowsOf<{ id: string; resource_version: unknown; deleted: unknown }>(
      await trx(tableOf[entity]).select('id', 'resource_version', 'deleted').whereIn('id', chunk),
    );
    for (const row of rows) states.set(row.id, { version: toNumber(row.resource_version) ?? 0, deleted: toBool(row.deleted) });
  }
  return states;
}
