import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** A plan as listed by Chargebee (PC 1.0 plan or PC 2.0 plan item price), so admins see plans before any subscription uses them. */
export const ChargebeePlan = defineEntity({
  name: 'ChargebeePlan',
  tableName: 'chargebee_plan',
  properties: (p) => ({
    id: p.string().primary().length(100),
    name: p.string().nullable(),
    /** pc1 (plan) or pc2 (item_price) */
    catalog: p.string(),
    status: p.string().nullable(),
    currency: p.string().nullable(),
    price: p.bigint('number').nullable(),
    period: p.integer().nullable(),
    periodUnit: p.string().nullable(),
    seenAt: p.datetime(),
  }),
});

export type ChargebeePlanRow = InferEntity<typeof ChargebeePlan>;
