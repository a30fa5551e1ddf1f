import type { Knex } from '@mikro-orm/knex';
import { badUserInput } from './errors.js';
import { readRows } from './sql.js';

export const maxPageSize = 100;
export const defaultPageSize = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

type Key = string | number;

export interface KeysetSource<Row> {
  /** Turns a raw database row into the value resolvers see. */
  map: (raw: Record<string, unknown>) => Row;
  /** The filtered query (select and from included) without ordering or limit; called once per page. */
  base: () => Knex.QueryBuilder;
  /** A unique, non-null column: the sole sort key, so pages never overlap or skip rows as rows are added. */
  key: string;
  keyOf: (row: Row) => Key;
  keyKind: 'string' | 'integer';
  order: 'asc' | 'desc';
  count: () => Promise<number>;
}

export interface Edge<Row> {
  cursor: string;
  node: Row;
}

export interface Page<Row> {
  edges: Edge<Row>[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: () => Promise<number>;
}

export function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify([key]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | null | undefined, kind: 'string' | 'integer', argument: string): Key | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const key = Array.isArray(parsed) && parsed.length === 1 ? (parsed[0] as unknown) : undefined;
    if (kind === 'string' && typeof key === 'string') return key;
    if (kind === 'integer' && typeof key === 'number' && Number.isInteger(key)) return key;
  } catch {
    // fall through: reported below as a bad argument
  }
  throw badUserInput(`"${argument}" is not a cursor from this connection`, { argument });
}

class LazyEdge<Row> implements Edge<Row> {
  private encoded: string | undefined;

  constructor(readonly node: Row, private readonly keyOf: (row: Row) => Key) {}

  get cursor(): string {
    return (this.encoded ??= encodeCursor(this.keyOf(this.node)));
  }
}

/** Page size and direction; sizes above the maximum are refused rather than silently reduced. */
export function pageSize(args: PageArgs): { limit: number; backward: boolean } {
  const { first, last } = args;
  if (first != null && last != null) throw badUserInput('Pass either "first" or "last", not both', { argument: 'first' });
  for (const [argument, value] of [['first', first], ['last', last]] as const) {
    if (value == null) continue;
    if (value < 0) throw badUserInput(`"${argument}" must not be negative`, { argument });
    if (value > maxPageSize) {
      throw badUserInput(`"${argument}" must be at most ${maxPageSize} (got ${value}); page with "after"/"before" instead`, { argument, max: maxPageSize });
    }
  }
  if (last != null) return { limit: last, backward: true };
  return { limit: first ?? defaultPageSize, backward: false };
}

/** Cursor (keyset) pagination over one unique key: O(page) per request however deep the page. */
export async function keysetPage<Row>(args: PageArgs, source: KeysetSource<Row>): Promise<Page<Row>> {
  const { limit, backward } = pageSize(args);
  const after = decodeCursor(args.after, source.keyKind, 'after');
  const before = decodeCursor(args.before, source.keyKind, 'before');
  const ascending = source.order === 'asc';
  const query = source.base();
  if (after !== null) query.where(source.key, ascending ? '>' : '<', after);
  if (before !== null) query.where(source.key, ascending ? '<' : '>', before);
  const scanAscending = ascending !== backward;
  // One extra row tells whether another page follows in the direction of travel.
  const raw = await readRows(query.orderBy(source.key, scanAscending ? 'asc' : 'desc').limit(limit + 1));
  const rows = raw.map(source.map);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backward) page.reverse();
  // Cursors are encoded when read: a page selected as `nodes { … }` never needs them.
  const edges = page.map((node) => new LazyEdge(node, source.keyOf));
  let counted: Promise<number> | null = null;
  return {
    edges,
    pageInfo: {
      // Relay allows a cheap answer for the opposite direction: a cursor there implies rows beyond it.
      hasNextPage: backward ? before !== null : hasMore,
      hasPreviousPage: backward ? hasMore : after !== null,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges[edges.length - 1]?.cursor ?? null;
      },
    },
    totalCount: () => (counted ??= source.count()),
  };
}

/** `select count(*)` over a filtered query; PostgreSQL returns counts as text. */
export async function countRows(query: Knex.QueryBuilder): Promise<number> {
  const rows = await readRows(query.count({ n: '*' }));
  return Number(rows[0]?.n ?? 0);
}
