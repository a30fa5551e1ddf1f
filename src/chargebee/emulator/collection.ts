import type { BaseRecord } from './types.js';

export type SortKey = number | string;

export function sortKeyOf(record: BaseRecord, field: string): SortKey {
  const v = record[field];
  return typeof v === 'number' || typeof v === 'string' ? v : 0;
}

export function compareKeys(a: SortKey, b: SortKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Total order used for paging: (sort key, id). The id tie-break keeps pages stable when keys tie. */
export function compareByKeyThenId(aKey: SortKey, aId: string, bKey: SortKey, bId: string): number {
  const c = compareKeys(aKey, bKey);
  if (c !== 0) return c;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

/**
 * Records of one kind, keyed by id. Records are treated as immutable values
 * (updates store a new object), so events can share them without copying.
 * Sorted views are cached per field and rebuilt lazily after a mutation, which
 * keeps paging through 100k records cheap (binary search + short scan).
 */
export class Collection<T extends BaseRecord> {
  private readonly byId = new Map<string, T>();
  private readonly sortedCache = new Map<string, T[]>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  put(record: T): void {
    this.byId.set(record.id, record);
    this.sortedCache.clear();
  }

  putMany(records: Iterable<T>): void {
    for (const r of records) this.byId.set(r.id, r);
    this.sortedCache.clear();
  }

  remove(id: string): boolean {
    const had = this.byId.delete(id);
    if (had) this.sortedCache.clear();
    return had;
  }

  clear(): void {
    this.byId.clear();
    this.sortedCache.clear();
  }

  values(): IterableIterator<T> {
    return this.byId.values();
  }

  /** Ascending by (field, id). Callers must not mutate the returned array. */
  sorted(field: string): readonly T[] {
    let arr = this.sortedCache.get(field);
    if (!arr) {
      const keyed = Array.from(this.byId.values(), (r) => ({ k: sortKeyOf(r, field), r }));
      keyed.sort((a, b) => compareByKeyThenId(a.k, a.r.id, b.k, b.r.id));
      arr = keyed.map((x) => x.r);
      this.sortedCache.set(field, arr);
    }
    return arr;
  }
}
