import type { ChargebeeSubscription, ChargebeeTransaction } from './chargebee-schema.js';
import type { Tombstonable } from './resources.js';
import { subscriptionRow, transactionRow, type Row, type RowValue } from './rows.js';
import { versionGuard } from './db-helpers.js';
import { placeholders, type Sql, type SqlParam } from './sql.js';
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

/** One table's share of an apply: the rows offered to its guarded upsert. */
export interface UpsertPlan {
  table: string;
  rows: readonly Row[];
  options?: UpsertOptions;
  /**
   * PostgreSQL: more writes that go in the upsert's statement (as data-modifying CTEs), given the name
   * of the CTE that returns the ids the upsert wrote. Each costs a round trip as a statement of its own.
   */
  alongside?: (written: string) => { text: string; params: SqlParam[] }[];
}

/**
 * Guarded multi-row upserts: the newest state of each id is offered, and the database keeps it only
 * where it is newer than the stored row (written as SQL: knex drops the DO UPDATE ... WHERE clause
 * from multi-row inserts on SQLite). Answers the ids each plan wrote, in the order of `plans`. On
 * PostgreSQL they go as one statement (data-modifying CTEs: the tables are independent, and every
 * statement costs a round trip); on SQLite, one after the other.
 */
export async function guardedUpserts(sql: Sql, plans: readonly UpsertPlan[]): Promise<Set<string>[]> {
  const written = plans.map(() => new Set<string>());
  const live = plans.map((plan, i) => ({ plan, i })).filter(({ plan }) => plan.rows.length > 0);
  if (live.length === 0) return written;
  if (sql.dialect === 'postgresql') {
    const statements = [];
    for (const { plan } of live) statements.push(pgUpsert(await columnTypes(sql, plan.table), plan));
    // CTEs may only name the ones before them: the writes that go alongside come after every upsert.
    const extra = live.flatMap(({ plan }, n) => plan.alongside?.(`u${n}`) ?? []);
    const [only] = statements;
    const text = statements.length === 1 && only !== undefined && extra.length === 0
      ? `${only.text} returning "id", 0 as k`
      : `with ${[...statements.map((st, n) => `u${n} as (${st.text} returning "id")`), ...extra.map((st, m) => `a${m} as (${st.text})`)].join(', ')} `
        + statements.map((_, n) => `select "id", ${n} as k from u${n}`).join(' union all ');
    const params = [...statements.flatMap((st) => st.params), ...extra.flatMap((st) => st.params)];
    for (const r of await sql.query<{ id: string; k: number }>(text, params)) {
      written[(live[r.k] as { i: number }).i]?.add(r.id);
    }
    return written;
  }
  for (const { plan, i } of live) {
    for (const id of await sqliteUpsert(sql, plan)) written[i]?.add(id);
  }
  return written;
}

function upsertClauses(plan: UpsertPlan) {
  const columns = Object.keys(plan.rows[0] ?? {});
  const planKeyFrom = plan.options?.planKeyFrom;
  const targets = planKeyFrom === undefined ? columns : [...columns, 'plan_key'];
  const updates = targets.filter((c) => c !== 'id').map((c) => `"${c}" = excluded."${c}"`).join(', ');
  return {
    columns,
    planKeyFrom,
    targets,
    into: `insert into "${plan.table}" (${targets.map((c) => `"${c}"`).join(', ')})`,
    conflict: ` on conflict ("id") do update set ${updates} where ${versionGuard(`"${plan.table}"`)}`,
  };
}

/**
 * PostgreSQL: one array per column through unnest, and plan_mapping joined once: a statement of a
 * few parameters plans in a fraction of the time of a VALUES list of thousands, and its text is the
 * same whatever the row count (so it runs as a prepared statement). No RETURNING: the caller adds it.
 */
function pgUpsert(types: Map<string, string>, plan: UpsertPlan): { text: string; params: SqlParam[] } {
  const { columns, planKeyFrom, into, conflict } = upsertClauses(plan);
  const arrays = columns.map((c) => `?::${types.get(c) ?? 'text'}[]`);
  const select = columns.map((c) => `t."${c}"`);
  let from = `unnest(${arrays.join(', ')}) as t(${columns.map((c) => `"${c}"`).join(', ')})`;
  if (planKeyFrom !== undefined) {
    select.push('pm.plan_key');
    from += ` left join plan_mapping pm on pm.chargebee_plan_id = t."${planKeyFrom}"`;
  }
  const params = columns.map((c) => plan.rows.map((row) => row[c] ?? null)) as unknown as SqlParam[];
  return { text: `${into} select ${select.join(', ')} from ${from}${conflict}`, params };
}

/** SQLite: chunked VALUES lists; the plan key is a subquery per row (an index lookup in process). */
async function sqliteUpsert(sql: Sql, plan: UpsertPlan): Promise<string[]> {
  const { columns, planKeyFrom, targets, into, conflict } = upsertClauses(plan);
  const planKey = '(select pm.plan_key from plan_mapping pm where pm.chargebee_plan_id = ?)';
  const tuple = planKeyFrom === undefined ? placeholders(columns.length) : `(${new Array<string>(columns.length).fill('?').join(', ')}, ${planKey})`;
  const written: string[] = [];
  for (const chunk of chunks(plan.rows, Math.max(1, Math.floor(20_000 / targets.length)))) {
    const bindings: RowValue[] = [];
    for (const row of chunk) {
      for (const c of columns) bindings.push(row[c] ?? null);
      if (planKeyFrom !== undefined) bindings.push(row[planKeyFrom] ?? null);
    }
    const text = `${into} values ${new Array<string>(chunk.length).fill(tuple).join(', ')}${conflict} returning "id"`;
    for (const r of await sql.query<{ id: string }>(text, bindings)) written.push(r.id);
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

/** A kind's upsert plan, and how the ids the upsert wrote become its outcome. */
export interface KindPlan {
  plan: UpsertPlan;
  outcome: (written: Set<string>) => KindOutcome;
}

function planKind<T extends { id: string }>(
  table: string, entries: readonly Tombstonable<T>[], toRow: (entry: Tombstonable<T>) => Row, options: UpsertOptions = {},
): KindPlan {
  const byId = statesById(entries);
  const newest = [...byId.values()].map((states) => newestOf(states));
  return {
    plan: { table, rows: newest.map(toRow), options },
    outcome: (written) => ({
      changedRows: written.size,
      unchangedRows: byId.size - written.size,
      took: new Set<Tombstonable<unknown>>(newest.filter((e) => written.has(e.data.id))),
    }),
  };
}

export function planSubscriptions(ctx: ApplyContext, entries: readonly Tombstonable<ChargebeeSubscription>[]): KindPlan {
  return planKind('subscription', entries, (e) => subscriptionRow(e.data, e.deleted, ctx.stamp), { planKeyFrom: 'chargebee_plan_id' });
}

export function planTransactions(ctx: ApplyContext, entries: readonly Tombstonable<ChargebeeTransaction>[]): KindPlan {
  return planKind('billing_transaction', entries, (e) => transactionRow(e.data, e.deleted, ctx.stamp));
}
