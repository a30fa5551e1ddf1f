import type { ChargebeeSubscription, ChargebeeTransaction } from './chargebee-schema.js';
import { subscriptionRow, transactionRow } from './rows.js';
import { versionGuard } from './db-helpers.js';
import type { ApplyContext } from './apply-context.js';

/**
 * Applies one subscription state with a single guarded upsert. The plan key is looked up from
 * plan_mapping inside the same statement, so an unmapped plan simply leaves it null.
 */
export async function applySubscription(ctx: ApplyContext, subscription: ChargebeeSubscription, deleted: boolean): Promise<boolean> {
  const { trx } = ctx;
  const row = subscriptionRow(subscription, deleted, ctx.stamp);
  const full = {
    ...row,
    plan_key: trx.raw('(select pm.plan_key from plan_mapping pm where pm.chargebee_plan_id = ?)', [row.chargebee_plan_id]),
  };
  const upserted = await trx('subscription')
    .insert(full)
    .onConflict('id')
    .merge(Object.keys(full).filter((c) => c !== 'id'))
    .where(trx.raw(versionGuard('subscription')))
    .returning('id');
  return upserted.length > 0;
}

export async function applyTransaction(ctx: ApplyContext, transaction: ChargebeeTransaction, deleted: boolean): Promise<boolean> {
  const { trx } = ctx;
  const row = transactionRow(transaction, deleted, ctx.stamp);
  const upserted = await trx('billing_transaction')
    .insert(row)
    .onConflict('id')
    .merge(Object.keys(row).filter((c) => c !== 'id'))
    .where(trx.raw(versionGuard('billing_transaction')))
    .returning('id');
  return upserted.length > 0;
}
