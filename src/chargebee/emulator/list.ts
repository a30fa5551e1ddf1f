// List-call semantics: limit/offset paging, filters and sort, parsed from the
// query string exactly as the chargebee SDK v3 sends it:
//   { updated_at: { after: 1 } }  -> updated_at[after]=1
//   { status: { in: ['a','b'] } } -> status[in]=["a","b"]   (JSON text)
//   { 'sort_by[asc]': 'updated_at' } and include_deleted=true pass through as is.
// Paging is keyset based: next_offset encodes the last returned (sort key, id),
// so records changing between pages are never skipped and untouched ones never repeat.
import { compareByKeyThenId, sortKeyOf, type Collection, type SortKey } from './collection.js';
import { badParam, invalidRequest } from './errors.js';
import type { BaseRecord } from './types.js';

export interface ListConfig {
  sortFields: readonly string[];
  defaultSort: { field: string; dir: 'asc' | 'desc' };
  /** Extra matchers for fields that are not plain top-level values. */
  fieldValues?: Record<string, (r: BaseRecord) => unknown[]>;
}

export interface ListQuery {
  limit: number;
  cursor?: [SortKey, string];
  sortField: string;
  dir: 'asc' | 'desc';
  includeDeleted: boolean;
  filters: Array<(r: BaseRecord) => boolean>;
}

export interface Page<T> {
  items: T[];
  nextOffset?: string;
}

const FILTER_KEY = /^([a-z0-9_]+)\[([a-z_]+)\]$/;
const DAY = 86_400;

export function parseListQuery(params: URLSearchParams, cfg: ListConfig): ListQuery {
  const q: ListQuery = {
    limit: 10,
    sortField: cfg.defaultSort.field,
    dir: cfg.defaultSort.dir,
    includeDeleted: false,
    filters: [],
  };
  let sortSeen = false;
  for (const [key, value] of params) {
    if (key === 'limit') q.limit = parseLimit(value);
    else if (key === 'offset') q.cursor = parseOffset(value);
    else if (key === 'include_deleted') q.includeDeleted = parseBool('include_deleted', value);
    else if (key === 'sort_by[asc]' || key === 'sort_by[desc]') {
      if (sortSeen) throw invalidRequest('Only one of sort_by[asc] / sort_by[desc] may be given');
      if (!cfg.sortFields.includes(value)) throw badParam(key, `sorting is not supported on '${value}'`);
      sortSeen = true;
      q.sortField = value;
      q.dir = key === 'sort_by[asc]' ? 'asc' : 'desc';
    } else if (key.includes('[')) {
      // Also rejects keys like updated_at[after][before], which the SDK's serializer
      // produces when one filter object has two operators; silently ignoring it hides a bug.
      const m = FILTER_KEY.exec(key);
      if (!m) throw invalidRequest(`Unsupported parameter ${key}`);
      const field = m[1];
      const values = cfg.fieldValues?.[field] ?? ((r: BaseRecord) => [r[field]]);
      const test = makeTest(key, m[2], value);
      q.filters.push((r) => test(values(r)));
    }
    // Other plain keys are ignored, as unknown query params are by the real API.
  }
  return q;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isInteger(n)) throw badParam('limit', 'must be an integer');
  if (n < 1) throw badParam('limit', `The value ${n} is lesser than the min 1`);
  if (n > 100) throw badParam('limit', `The value ${n} is greater than the max 100`);
  return n;
}

function parseOffset(value: string): [SortKey, string] {
  try {
    const v: unknown = JSON.parse(value);
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === 'number' || typeof v[0] === 'string') && typeof v[1] === 'string') {
      return [v[0], v[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw badParam('offset', 'invalid offset value');
}

function parseBool(param: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw badParam(param, `invalid boolean '${value}'`);
}

function parseArray(param: string, value: string): string[] {
  let arr: unknown;
  try {
    arr = JSON.parse(value);
  } catch {
    // The API also takes the unquoted form [a,b]; accept it for curl-driven demos.
    if (/^\[.*\]$/.test(value)) arr = value.slice(1, -1).split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
  }
  if (!Array.isArray(arr)) throw badParam(param, 'expected a JSON array');
  return arr.map((x) => String(x));
}

function parseNumber(param: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw badParam(param, `invalid number '${value}'`);
  return n;
}

function eq(v: unknown, arg: string): boolean {
  if (typeof v === 'number') return v === Number(arg);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v) === arg;
  return false;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** Builds a test over all values a field has (one for plain fields, several for item_price_id). */
function makeTest(param: string, op: string, raw: string): (vs: unknown[]) => boolean {
  switch (op) {
    case 'is':
      return (vs) => vs.some((v) => eq(v, raw));
    case 'is_not':
      return (vs) => !vs.some((v) => eq(v, raw));
    case 'starts_with':
      return (vs) => vs.some((v) => typeof v === 'string' && v.startsWith(raw));
    case 'is_present': {
      const want = parseBool(param, raw);
      return (vs) => vs.some(present) === want;
    }
    case 'in':
    case 'not_in': {
      const set = new Set(parseArray(param, raw));
      const hit = (vs: unknown[]): boolean => vs.some((v) => present(v) && set.has(String(v)));
      return op === 'in' ? hit : (vs) => !hit(vs);
    }
    case 'between': {
      const [lo, hi] = parseArray(param, raw).map((x) => parseNumber(param, x));
      if (lo === undefined || hi === undefined) throw badParam(param, 'expected [from, to]');
      return (vs) => vs.some((v) => num(v) >= lo && num(v) <= hi);
    }
    case 'on': {
      const day = Math.floor(parseNumber(param, raw) / DAY);
      return (vs) => vs.some((v) => Math.floor(num(v) / DAY) === day);
    }
    case 'after':
    case 'gt':
    case 'before':
    case 'lt':
    case 'gte':
    case 'lte': {
      const n = parseNumber(param, raw);
      const cmp: Record<string, (x: number) => boolean> = {
        after: (x) => x > n,
        gt: (x) => x > n,
        before: (x) => x < n,
        lt: (x) => x < n,
        gte: (x) => x >= n,
        lte: (x) => x <= n,
      };
      const f = cmp[op];
      return (vs) => vs.some((v) => f(num(v)));
    }
    default:
      throw badParam(param, `unsupported filter operator '${op}'`);
  }
}

/** First index whose (key, id) is strictly greater than the cursor. */
function upperBound(arr: readonly BaseRecord[], field: string, [key, id]: [SortKey, string]): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = arr[mid];
    if (compareByKeyThenId(sortKeyOf(r, field), r.id, key, id) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose (key, id) is >= the cursor. */
function lowerBound(arr: readonly BaseRecord[], field: string, [key, id]: [SortKey, string]): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = arr[mid];
    if (compareByKeyThenId(sortKeyOf(r, field), r.id, key, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function paginate<T extends BaseRecord>(coll: Collection<T>, q: ListQuery): Page<T> {
  const arr = coll.sorted(q.sortField);
  const asc = q.dir === 'asc';
  let i = asc ? (q.cursor ? upperBound(arr, q.sortField, q.cursor) : 0) : q.cursor ? lowerBound(arr, q.sortField, q.cursor) - 1 : arr.length - 1;
  const step = asc ? 1 : -1;
  const items: T[] = [];
  let more = false;
  for (; i >= 0 && i < arr.length; i += step) {
    const r = arr[i];
    if (!q.includeDeleted && r.deleted === true) continue;
    if (!q.filters.every((f) => f(r))) continue;
    if (items.length === q.limit) {
      more = true;
      break;
    }
    items.push(r);
  }
  const last = items[items.length - 1];
  if (!more || !last) return { items };
  return { items, nextOffset: JSON.stringify([sortKeyOf(last, q.sortField), last.id]) };
}
