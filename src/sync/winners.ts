import type { Tombstonable } from './resources.js';
import { versionOf } from './version.js';

type Versioned = { id: string; resource_version?: number | null; updated_at?: number | null };

/** Orders two states of one resource: by version, a deletion after a non-deletion of the same version. */
export function compareStates(a: Tombstonable<Versioned>, b: Tombstonable<Versioned>): number {
  return versionOf(a.data) - versionOf(b.data) || Number(a.deleted) - Number(b.deleted);
}

/**
 * Groups the states of each resource in a set, oldest first. Within one statement a row can only be
 * written once, so the newest state of each id is the one the upsert offers the database.
 */
export function statesById<T extends Versioned>(entries: readonly Tombstonable<T>[]): Map<string, Tombstonable<T>[]> {
  const byId = new Map<string, Tombstonable<T>[]>();
  for (const entry of entries) {
    const list = byId.get(entry.data.id);
    if (list) list.push(entry);
    else byId.set(entry.data.id, [entry]);
  }
  for (const list of byId.values()) list.sort(compareStates);
  // Sorted ids: rows are locked in the same order by every concurrent batch.
  return new Map([...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function newestOf<T>(states: readonly T[]): T {
  const last = states[states.length - 1];
  if (last === undefined) throw new Error('no states');
  return last;
}

/** Splits rows into chunks that keep statements under the engines' bind-parameter limits. */
export function chunks<T>(items: readonly T[], size = 400): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
