import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const attributionFields = ['customer_key', 'partner_key'] as const;

export const AttributionChange = defineEntity({
  name: 'AttributionChange',
  tableName: 'attribution_change',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    customerId: p.string().index(),
    field: p.string().$type<(typeof attributionFields)[number]>(),
    oldValue: p.string().nullable(),
    newValue: p.string().nullable(),
    /** Where the new value was found (cf_partner_key, signup, …). */
    source: p.string(),
    /** The webhook event that caused it, when there was one. */
    eventId: p.string().nullable(),
    changedAt: p.datetime(),
  }),
});

export type AttributionChangeRow = InferEntity<typeof AttributionChange>;
