import type { Trx } from './db-helpers.js';

const mappedPlanKey = '(select pm.plan_key from plan_mapping pm where pm.chargebee_plan_id = subscription.chargebee_plan_id)';

/**
 * Re-resolves subscriptions' plan keys against the current plan mappings, in one statement.
 * Limited to the given Chargebee plan ids when passed (the ones a mapping change touched).
 * Returns how many subscriptions changed plan key.
 */
export async function remapSubscriptions(trx: Trx, chargebeePlanIds?: readonly string[]): Promise<number> {
  if (chargebeePlanIds !== undefined && chargebeePlanIds.length === 0) return 0;
  const query = trx('subscription')
    .update({ plan_key: trx.raw(mappedPlanKey) })
    .whereRaw(`plan_key is distinct from ${mappedPlanKey}`);
  if (chargebeePlanIds !== undefined) query.whereIn('chargebee_plan_id', [...chargebeePlanIds]);
  return Number(await query);
}
