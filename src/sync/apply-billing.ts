import type { ChargebeeSubscription, ChargebeeTransaction } from './chargebee-schema.js';
import type { Tombstonable } from './resources.js';
import { subscriptionRow, transactionRow, type Row, type RowValue } from './rows.js';
import { versionGuard } from './db-helpers.js';
import { sqlOf, type Sql } from './sql.js';
import type { ApplyContext } from './apply-context.js';
import type { KindOutcome } from './apply.js';
import { chunks, newestOf, statesById } from './winners.js';

/** A value computed by the database inside the upsert (e.g. the plan key subquery). */
export interface SqlValue {
  sql: string;
  bindings: RowValue[];
}
type UpsertValue = RowValue | SqlValue;
const isSqlValue = (v: UpsertValue): v is SqlValue => v !== null && typeof v === 'object' && !(v instanceof Date);

/**
 * One guarded multi-row upsert per chunk: the newest state of each id is offered, and the database
 * keeps it only where it is newer than the stored row. Returns the ids it wrote. Written as SQL
 * because knex drops the DO UPDATE ... WHERE clause from multi-row inserts on SQLite.
 */
export async function guardedUpsert(sql: Sql, table: string, rows: readonly Record<string, UpsertValue>[]): Promise<Set<string>> {
  const written = new Set<string>();
  const first = rows[0];
  if (first === undefined) return written;
  const columns = Object.keys(first);
  const updates = columns.filter((c) => c !== 'id').map((c) => `"${c}" = excluded."${c}"`).join(', ');
  for (const chunk of chunks(rows, Math.max(1, Math.floor(20_000 / columns.length)))) {
    const bindings: RowValue[] = [];
    const tuples = chunk.map((row) => `(${columns.map((c) => {
      const value = row[c] ?? null;
      if (isSqlValue(value)) {
        bindings.push(...value.bindings);
        return value.sql;
      }
      bindings.push(value);
      return '?';
    }).join(', ')})`);
    const text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`
      + ` on conflict ("id") do update set ${updates} where ${versionGuard(`"${table}"`)} returning "id"`;
    for (const r of await sql.query<{ id: string }>(text, bindings)) written.add(r.id);
  }
  return written;
}

async function applyKind<T extends { id: string }>(
  ctx: ApplyContext, table: string, entries: readonly Tombstonable<T>[], toRow: (entry: Tombstonable<T>) => Record<string, UpsertValue>,
): Promise<KindOutcome> {
  const byId = statesById(entries);
  const newest = [...byId.values()].map((states) => newestOf(states));
  const written = await guardedUpsert(await sqlOf(ctx.trx, ctx.dialect), table, newest.map(toRow));
  const took = new Set<Tombstonable<unknown>>(newest.filter((e) => written.has(e.data.id)));
  return { changedRows: written.size, unchangedRows: byId.size - written.size, took };
}

export function applySubscriptions(ctx: ApplyContext, entries: readonly Tombstonable<ChargebeeSubscription>[]): Promise<KindOutcome> {
  return applyKind(ctx, 'subscription', entries, (e) => {
    const row: Row = subscriptionRow(e.data, e.deleted, ctx.stamp);
    // The plan key comes from plan_mapping inside the statement: an unmapped plan leaves it null.
    return { ...row, plan_key: { sql: '(select pm.plan_key from plan_mapping pm where pm.chargebee_plan_id = ?)', bindings: [row.chargebee_plan_id ?? null] } };
  });
}

export function applyTransactions(ctx: ApplyContext, entries: readonly Tombstonable<ChargebeeTransaction>[]): Promise<KindOutcome> {
  return applyKind(ctx, 'billing_transaction', entries, (e) => transactionRow(e.data, e.deleted, ctx.stamp));
}
