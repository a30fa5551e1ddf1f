import type { ResourceSet, Tombstonable } from './resources.js';
import type { ApplyContext } from './apply-context.js';
import { planCustomers } from './apply-customer.js';
import { guardedUpserts, planSubscriptions, planTransactions, type KindPlan } from './apply-billing.js';

export interface ApplyCounts {
  /** Rows inserted or updated. */
  changed: number;
  /** Rows whose stored state was already as new (stale or repeated states). */
  unchanged: number;
}

export interface ApplyOutcome extends ApplyCounts {
  /** The entries of the input set whose state took effect (the rest were stale or superseded within the set). */
  took: Set<Tombstonable<unknown>>;
}

/**
 * The one apply path: webhooks (one event or a group-committed batch), the reconciler's pages and
 * replays all hand their resources here. Set-based: a statement or two per resource kind, whatever
 * the number of resources. On PostgreSQL the upserts of all kinds share one statement.
 */
export async function applyResources(ctx: ApplyContext, set: ResourceSet): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { changed: 0, unchanged: 0, took: new Set() };
  const merge = (part: { changedRows: number; unchangedRows: number; took: Set<Tombstonable<unknown>> }) => {
    outcome.changed += part.changedRows;
    outcome.unchanged += part.unchangedRows;
    for (const entry of part.took) outcome.took.add(entry);
  };
  // Customers are planned first (their locks and reads); all upserts then go together.
  const customers = set.customers.length > 0 ? await planCustomers(ctx, set.customers) : null;
  const billing: KindPlan[] = [];
  if (set.subscriptions.length > 0) billing.push(planSubscriptions(ctx, set.subscriptions));
  if (set.transactions.length > 0) billing.push(planTransactions(ctx, set.transactions));
  const plans = [...(customers ? [customers.plan] : []), ...billing.map((b) => b.plan)];
  const written = await guardedUpserts(ctx.sql, plans);
  const offset = customers ? 1 : 0;
  if (customers) merge(await customers.finish(written[0] ?? new Set()));
  billing.forEach((b, i) => merge(b.outcome(written[i + offset] ?? new Set())));
  return outcome;
}

/** Per-kind result the apply functions report. */
export interface KindOutcome {
  changedRows: number;
  unchangedRows: number;
  took: Set<Tombstonable<unknown>>;
}
