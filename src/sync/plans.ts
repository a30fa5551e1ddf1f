import { rowsOf, toDate, toNumber, type Trx } from './db-helpers.js';

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

/** Subscription statuses that bill or are about to: what "active" means for partners and plans. */
export const activeSubscriptionStatuses = ['active', 'non_renewing', 'in_trial'] as const;

const unmapped = (column: string) => `not exists (select 1 from plan_mapping pm where pm.chargebee_plan_id = ${column})`;
const active = activeSubscriptionStatuses.map((s) => `'${s}'`).join(', ');

/**
 * The one definition of an unmapped plan: a Chargebee plan id on non-deleted subscriptions without a
 * mapping, plus plans Chargebee lists (chargebee_plan, filled by the reconciler) that are unmapped and
 * unused, so admins can map them before first use. Columns: plan_id, n (subscriptions), active.
 */
export const unmappedPlansSql = `
  select s.chargebee_plan_id as plan_id, count(*) as n, sum(case when s.status in (${active}) then 1 else 0 end) as active
    from subscription s
   where not s.deleted and s.chargebee_plan_id is not null and ${unmapped('s.chargebee_plan_id')}
   group by s.chargebee_plan_id
  union all
  select cp.id as plan_id, 0 as n, 0 as active
    from chargebee_plan cp
   where ${unmapped('cp.id')}
     and not exists (select 1 from subscription s where s.chargebee_plan_id = cp.id and not s.deleted)`;

export async function unmappedPlanIds(trx: Trx): Promise<string[]> {
  const rows = rowsOf<{ plan_id: string }>(await trx.raw(`select plan_id from (${unmappedPlansSql}) p order by plan_id`));
  return rows.map((r) => r.plan_id);
}
