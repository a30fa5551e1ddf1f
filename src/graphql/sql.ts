import type { Knex } from '@mikro-orm/knex';
import type { Dialect } from '../db/orm.js';
import { preparedStatementName } from '../db/prepared-statements.js';
import { toBool, toDate, toNumber } from '../sync/db-helpers.js';

/** Readers for raw column values, which differ by driver (bigint as text, booleans as 0/1, dates as numbers). */
export const col = {
  str: (v: unknown): string => String(v),
  strOrNull: (v: unknown): string | null => (v === null || v === undefined ? null : String(v)),
  num: (v: unknown): number => toNumber(v) ?? 0,
  numOrNull: (v: unknown): number | null => toNumber(v),
  bool: (v: unknown): boolean => toBool(v),
  date: (v: unknown): Date => toDate(v) ?? new Date(0),
  dateOrNull: (v: unknown): Date | null => toDate(v),
  json: (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) as unknown : v ?? null),
};

/** True for the readers of timestamp columns (they need converting inside JSON, see columns.ts). */
export function isDateReader(read: (raw: unknown) => unknown): boolean {
  return read === col.date || read === col.dateOrNull;
}

/**
 * JSON built inside a statement (embedded fields, columns.ts): a list of rows, each a JSON array
 * of `values`, ordered by `orderBy`, from `from` (a FROM … WHERE … clause); always a list, empty
 * when no row matches.
 */
export function jsonRowsSql(dialect: Dialect, values: readonly string[], from: string, orderBy: string): string {
  return dialect === 'postgresql'
    ? `(select coalesce(json_agg(json_build_array(${values.join(', ')}) order by ${orderBy}), '[]'::json) ${from})`
    : `(select json_group_array(json_array(${values.join(', ')}) order by ${orderBy}) ${from})`;
}

/** The first row `from` finds as a JSON array of `values`, or null. */
export function jsonRowSql(dialect: Dialect, values: readonly string[], from: string): string {
  return dialect === 'postgresql'
    ? `(select json_build_array(${values.join(', ')}) ${from} limit 1)`
    : `(select json_array(${values.join(', ')}) ${from} limit 1)`;
}

/** Reads what jsonRowsSql/jsonRowSql answered: PostgreSQL's driver parses json, SQLite hands back text. */
export function parseJsonValue(raw: unknown): unknown {
  return typeof raw === 'string' ? JSON.parse(raw) as unknown : raw ?? null;
}

interface PgConnection {
  query(config: { name?: string; text: string; values: readonly unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Runs a read (a page, a count). On PostgreSQL, outside transactions, it goes to a pooled
 * connection as a named prepared statement: each connection parses and plans it once, and
 * PostgreSQL may keep a generic plan, instead of planning every request again; and it is compiled
 * once (knex's runner would compile the builder a second time). Texts beyond the first
 * `maxNamedStatements` (db/prepared-statements.ts) run unnamed. Observers of knex's `query` event still see the statement.
 */
export async function readRows(query: Knex.QueryBuilder): Promise<Record<string, unknown>[]> {
  const client = query.client as Knex.Client & { transacting?: boolean };
  if (client.dialect !== 'postgresql' || client.transacting === true) return await query as Record<string, unknown>[];
  const compiled = query.toSQL();
  const { sql, bindings } = compiled.toNative();
  const name = preparedStatementName(sql);
  const connection = await client.acquireConnection() as PgConnection & { __knexUid?: string };
  try {
    client.emit('query', { ...compiled, __knexUid: connection.__knexUid });
    const result = await connection.query(name === undefined ? { text: sql, values: bindings } : { name, text: sql, values: bindings });
    return result.rows;
  } finally {
    await client.releaseConnection(connection);
  }
}

/** Escapes LIKE wildcards so a search for "50%" matches the text "50%". */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Case-insensitive substring match on any of the columns (same behaviour on both engines). */
export function whereContains(query: Knex.QueryBuilder, columns: readonly string[], text: string): void {
  const pattern = likePattern(text);
  void query.where((q) => {
    for (const column of columns) void q.orWhereRaw(`lower(${column}) like ? escape '\\'`, [pattern]);
  });
}

/** Only the Chargebee statuses that still earn money count as active (see partner.graphql.ts). */
export { activeSubscriptionStatuses } from '../sync/plans.js';

/**
 * Net revenue expression: successful payments minus successful refunds, in minor units. Other types
 * (authorization, payment_reversal) and other statuses never moved money we keep.
 */
export const netAmountSql = `sum(case when t.type = 'payment' then t.amount when t.type = 'refund' then -t.amount else 0 end)`;
export const revenueFilterSql = `t.status = 'success' and t.type in ('payment', 'refund') and not t.deleted`;
