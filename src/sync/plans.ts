import { toDate, toNumber, type Trx } from './db-helpers.js';

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

/** A plan_mapping row as the rest of the service sees it. */
export interface PlanMappingRecord {
  id: number;
  chargebeePlanId: string;
  planKey: string;
  displayName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function planMappingFromRow(r: Record<string, unknown>): PlanMappingRecord {
  return {
    id: toNumber(r.id) ?? 0, chargebeePlanId: String(r.chargebee_plan_id), planKey: String(r.plan_key),
    displayName: r.display_name === null || r.display_name === undefined ? null : String(r.display_name),
    createdAt: toDate(r.created_at) ?? new Date(0), updatedAt: toDate(r.updated_at) ?? new Date(0),
  };
}
