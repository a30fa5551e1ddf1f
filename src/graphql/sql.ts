import type { Knex } from '@mikro-orm/knex';
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
