import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { SyncOrigin } from './common.js';

export const Customer = defineEntity({
  name: 'Customer',
  tableName: 'customer',
  // A partner's customers are paged by id (see subscription.entity.ts).
  indexes: [{ properties: ['partnerKey', 'id'] }],
  properties: (p) => ({
    id: p.string().primary().length(100),
    customerKey: p.string().nullable().index(),
    /** Where the key was found: meta_data.customer_key, cf_customer_id or customer_id (fallback). */
    customerKeySource: p.string().nullable(),
    /** resource_version of the payload the key came from; a key from an older payload never replaces it. */
    customerKeyVersion: p.bigint('number').nullable(),
    partnerKey: p.string().nullable(),
    /** cf_partner_key, meta_data.partner_key or signup. */
    partnerKeySource: p.string().nullable(),
    partnerKeyVersion: p.bigint('number').nullable(),
    email: p.string().nullable().index(),
    firstName: p.string().nullable(),
    lastName: p.string().nullable(),
    company: p.string().nullable(),
    chargebeeCreatedAt: p.datetime().nullable(),
    chargebeeUpdatedAt: p.datetime().nullable(),
    resourceVersion: p.bigint('number'),
    deleted: p.boolean().default(false),
    syncedAt: p.datetime(),
    syncedBy: p.string().$type<SyncOrigin>(),
  }),
});

export type CustomerRow = InferEntity<typeof Customer>;
