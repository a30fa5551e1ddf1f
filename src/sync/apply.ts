import type { ResourceSet } from './resources.js';
import type { ApplyContext } from './apply-context.js';
import { applyCustomer } from './apply-customer.js';
import { applySubscription, applyTransaction } from './apply-billing.js';

export interface ApplyCounts {
  /** Rows inserted or updated. */
  changed: number;
  /** Resources whose stored state was already as new (stale or duplicate states). */
  unchanged: number;
}

/**
 * The one apply path: webhooks, the reconciler and replays all hand their resources here.
 * Customers first, so attribution exists before the billing rows that point at it.
 */
export async function applyResources(ctx: ApplyContext, set: ResourceSet): Promise<ApplyCounts> {
  const counts: ApplyCounts = { changed: 0, unchanged: 0 };
  const tally = (changed: boolean) => {
    if (changed) counts.changed += 1;
    else counts.unchanged += 1;
  };
  for (const c of set.customers) tally(await applyCustomer(ctx, c.data, c.deleted));
  for (const s of set.subscriptions) tally(await applySubscription(ctx, s.data, s.deleted));
  for (const t of set.transactions) tally(await applyTransaction(ctx, t.data, t.deleted));
  return counts;
}
