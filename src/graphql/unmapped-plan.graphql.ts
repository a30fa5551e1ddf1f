import type { Knex } from '@mikro-orm/knex';
import { builder } from './builder.js';
import { col } from './sql.js';
import { activeSubscriptionStatuses, unmappedPlansSql } from '../sync/plans.js';
import { rowsOf } from '../sync/db-helpers.js';

interface UnmappedPlanRecord {
  chargebeePlanId: string;
  subscriptionCount: number;
  activeSubscriptionCount: number;
  name: string | null;
  catalog: string | null;
  status: string | null;
}

export async function countUnmappedPlans(db: Knex): Promise<number> {
  const rows = rowsOf<{ n: number | string }>(await db.raw(`select count(*) as n from (${unmappedPlansSql}) p`));
  return Number(rows[0]?.n ?? 0);
}

const UnmappedPlan = builder.objectRef<UnmappedPlanRecord>('UnmappedPlan').implement({
  description: 'A Chargebee plan id with no plan mapping; its subscriptions have no plan key',
  fields: (t) => ({
    chargebeePlanId: t.exposeString('chargebeePlanId'),
    subscriptionCount: t.exposeInt('subscriptionCount', { description: 'Non-deleted subscriptions on this plan' }),
    activeSubscriptionCount: t.exposeInt('activeSubscriptionCount', { description: `Of which ${activeSubscriptionStatuses.join(', ')}` }),
    name: t.exposeString('name', { nullable: true, description: 'From Chargebee\'s plan list, when the reconciler has fetched it' }),
    catalog: t.exposeString('catalog', { nullable: true, description: 'pc1 or pc2' }),
    status: t.exposeString('status', { nullable: true }),
  }),
});

builder.queryField('unmappedPlans', (t) => t.field({
  type: [UnmappedPlan],
  description: 'Unmapped Chargebee plans, most used first',
  complexity: { field: 5, multiplier: 1 },
  resolve: async (_root, _args, ctx) => {
    const rows = rowsOf<Record<string, unknown>>(await ctx.db.raw(
      `select p.plan_id, p.n, p.active, cp.name, cp.catalog, cp.status from (${unmappedPlansSql}) p`
        + ' left join chargebee_plan cp on cp.id = p.plan_id order by p.n desc, p.plan_id',
    ));
    return rows.map((r) => ({
      chargebeePlanId: col.str(r.plan_id), subscriptionCount: col.num(r.n), activeSubscriptionCount: col.num(r.active),
      name: col.strOrNull(r.name), catalog: col.strOrNull(r.catalog), status: col.strOrNull(r.status),
    }));
  },
}));
