import type { ChargebeeSubscription, ChargebeeTransaction } from './chargebee-schema.js';
import type { Tombstonable } from './resources.js';
import { subscriptionRow, transactionRow, type Row, type RowValue } from './rows.js';
import { versionGuard } from './db-helpers.js';
import { placeholders, sqlOf, type Sql, type SqlParam } from './sql.js';
import type { ApplyContext } from './apply-context.js';
import type { KindOutcome } from './apply.js';
import { chunks, newestOf, statesById } from './winners.js';

/** Options of a guarded upsert. */
export interface UpsertOptions {
  /**
   * The column holding a Chargebee plan id: `plan_key` is then filled from plan_mapping inside the
   * statement (an unmapped plan leaves it null), so a mapping and a sync never race.
   */
  planKeyFrom?: string;
}

/**
 * One guarded multi-row upsert (per chunk on SQLite): the newest state of each id is offered, and
 * the database keeps it only where it is newer than the stored row. Returns the ids it wrote.
 * Written as SQL because knex drops the DO UPDATE ... WHERE clause from multi-row inserts on SQLite.
 */
export async function guardedUpsert(sql: Sql, table: string, rows: readonly Row[], options: UpsertOptions = {}): Promise<Set<string>> {
  const written = new Set<string>();
  const first = rows[0];
  if (first === undefined) return written;
  const columns = Object.keys(first);
  const planKeyFrom = options.planKeyFrom;
  const targets = planKeyFrom === undefined ? columns : [...columns, 'plan_key'];
  const updates = targets.filter((c) => c !== 'id').map((c) => `"${c}" = excluded."${c}"`).join(', ');
  const conflict = ` on conflict ("id") do update set ${updates} where ${versionGuard(`"${table}"`)} returning "id"`;
  const into = `insert into "${table}" (${targets.map((c) => `"${c}"`).join(', ')})`;

  if (sql.dialect === 'postgresql') {
    // One array per column through unnest, and plan_mapping joined once: a statement of a few
    // parameters plans in a fraction of the time of a VALUES list of thousands, whatever the row count.
    const types = await columnTypes(sql, table);
    const arrays = columns.map((c) => `?::${types.get(c) ?? 'text'}[]`);
    const select = columns.map((c) => `t."${c}"`);
    let from = `unnest(${arrays.join(', ')}) as t(${columns.map((c) => `"${c}"`).join(', ')})`;
    if (planKeyFrom !== undefined) {
      select.push('pm.plan_key');
      from += ` left join plan_mapping pm on pm.chargebee_plan_id = t."${planKeyFrom}"`;
    }
    const params = columns.map((c) => rows.map((row) => row[c] ?? null)) as unknown as SqlParam[];
    for (const r of await sql.query<{ id: string }>(`${into} select ${select.join(', ')} from ${from}${conflict}`, params)) written.add(r.id);
    return written;
  }

  const planKey = '(select pm.plan_key from plan_mapping pm where pm.chargebee_plan_id = ?)';
  const tuple = planKeyFrom === undefined ? placeholders(columns.length) : `(${new Array<string>(columns.length).fill('?').join(', ')}, ${planKey})`;
  for (const chunk of chunks(rows, Math.max(1, Math.floor(20_000 / targets.length)))) {
    const bindings: RowValue[] = [];
    for (const row of chunk) {
      for (const c of columns) bindings.push(row[c] ?? null);
      if (planKeyFrom !== undefined) bindings.push(row[planKeyFrom] ?? null);
    }
    const text = `${into} values ${new Array<string>(chunk.length).fill(tuple).join(', ')}${conflict}`;
    for (const r of await sql.query<{ id: string }>(text, bindings)) written.add(r.id);
  }
  return written;
}

const typesByTable = new Map<string, Promise<Map<string, string>>>();

/** A table's column types as PostgreSQL names them (for the arrays), read once from the catalog. */
function columnTypes(sql: Sql, table: string): Promise<Map<string, string>> {
  let types = typesByTable.get(table);
  if (types === undefined) {
    types = sql.query<{ name: string; type: string }>(
      'select attname as name, format_type(atttypid, null) as type from pg_attribute'
        + ' where attrelid = ?::regclass and attnum > 0 and not attisdropped',
      [table],
    ).then((rows) => new Map(rows.map((r) => [r.name, r.type])));
    typesByTable.set(table, types);
    // A failure (the table is missing, the transaction aborted) is not remembered.
    types.catch(() => typesByTable.delete(table));
  }
  return types;
}

async function applyKind<T extends { id: string }>(
  ctx: ApplyContext, table: string, entries: readonly Tombstonable<T>[], toRow: (entry: Tombstonable<T>) => Row, options: UpsertOptions = {},
): Promise<KindOutcome> {
  const byId = statesById(entries);
  const newest = [...byId.values()].map((states) => newestOf(states));
  const written = await guardedUpsert(await sqlOf(ctx.trx, ctx.dialect), table, newest.map(toRow), options);
  const took = new Set<Tombstonable<unknown>>(newest.filter((e) => written.has(e.data.id)));
  return { changedRows: written.size, unchangedRows: byId.size - written.size, took };
}

export function applySubscriptions(ctx: ApplyContext, entries: readonly Tombstonable<ChargebeeSubscription>[]): Promise<KindOutcome> {
  return applyKind(ctx, 'subscription', entries, (e) => subscriptionRow(e.data, e.deleted, ctx.stamp), { planKeyFrom: 'chargebee_plan_id' });
}

export function applyTransactions(ctx: ApplyContext, entries: readonly Tombstonable<ChargebeeTransaction>[]): Promise<KindOutcome> {
  return applyKind(ctx, 'billing_transaction', entries, (e) => transactionRow(e.data, e.deleted, ctx.stamp));
}
