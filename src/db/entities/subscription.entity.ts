import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { SyncOrigin } from './common.js';

export const Subscription = defineEntity({
  name: 'Subscription',
  tableName: 'subscription',
  // Filtered pages are ordered by id: with id in the index, a page reads its rows in order instead of sorting every match.
  indexes: [{ properties: ['planKey', 'id'] }, { properties: ['status', 'id'] }],
  properties: (p) => ({
    id: p.string().primary().length(100),
    /** Chargebee customer id; no foreign key because a subscription may arrive before its customer. */
    customerId: p.string().index(),
    /** PC 1.0 plan_id, or PC 2.0 item_price_id of the plan item. */
    chargebeePlanId: p.string().nullable().index(),
    /** The platform's plan from PlanMapping; null when unmapped. */
    planKey: p.string().nullable(),
    status: p.string(),
    currency: p.string().nullable(),
    planAmount: p.bigint('number').nullable(),
    mrr: p.bigint('number').nullable(),
    quantity: p.integer().nullable(),
    billingPeriod: p.integer().nullable(),
    billingPeriodUnit: p.string().nullable(),
    trialStart: p.datetime().nullable(),
    trialEnd: p.datetime().nullable(),
    startedAt: p.datetime().nullable(),
    currentTermStart: p.datetime().nullable(),
    currentTermEnd: p.datetime().nullable(),
    cancelledAt: p.datetime().nullable(),
    chargebeeCreatedAt: p.datetime().nullable(),
    chargebeeUpdatedAt: p.datetime().nullable(),
    resourceVersion: p.bigint('number'),
    deleted: p.boolean().default(false),
    syncedAt: p.datetime(),
    syncedBy: p.string().$type<SyncOrigin>(),
  }),
});

export type SubscriptionRow = InferEntity<typeof Subscription>;
