import type { ResourceSet, Tombstonable } from './resources.js';
import type { ApplyContext } from './apply-context.js';
import { applyCustomers } from './apply-customer.js';
import { applySubscriptions, applyTransactions } from './apply-billing.js';

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
 * the number of resources. Customers first, so attribution exists before the billing rows.
 */
export async function applyResources(ctx: ApplyContext, set: ResourceSet): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { changed: 0, unchanged: 0, took: new Set() };
  const merge = (part: { changedRows: number; unchangedRows: number; took: Set<Tombstonable<unknown>> }) => {
    outcome.changed += part.changedRows;
    outcome.unchanged += part.unchangedRows;
    for (const entry of part.took) outcome.took.add(entry);
  };
  if (set.customers.length > 0) merge(await applyCustomers(ctx, set.customers));
  if (set.subscriptions.length > 0) merge(await applySubscriptions(ctx, set.subscriptions));
  if (set.transactions.length > 0) merge(await applyTransactions(ctx, set.transactions));
  return outcome;
}

/** Per-kind result the apply functions report. */
export interface KindOutcome {
  changedRows: number;
  unchangedRows: number;
  took: Set<Tombstonable<unknown>>;
}
