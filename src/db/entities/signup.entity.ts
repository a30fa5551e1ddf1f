import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** A referred signup recorded on the seller's site before Chargebee knew the customer. */
export const Signup = defineEntity({
  name: 'Signup',
  tableName: 'signup',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    customerKey: p.string().unique(),
    partnerKey: p.string().index(),
    email: p.string().nullable(),
    signedUpAt: p.datetime(),
  }),
});

export type SignupRow = InferEntity<typeof Signup>;
