import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const PlanMapping = defineEntity({
  name: 'PlanMapping',
  tableName: 'plan_mapping',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    chargebeePlanId: p.string().unique(),
    /** Several Chargebee plan ids (monthly, yearly) may share one plan key. */
    planKey: p.string().index(),
    displayName: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  }),
});

export type PlanMappingRow = InferEntity<typeof PlanMapping>;
