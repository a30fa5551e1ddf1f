import type { Dialect } from '../db/orm.js';
import type { Trx } from './db-helpers.js';
import { rowsOf } from './db-helpers.js';
import { recordAttributionChanges } from './apply-customer.js';

export interface SignupInput {
  customerKey: string;
  partnerKey: string;
  email?: string | null;
  signedUpAt?: Date;
}

export interface SignupResult {
  /** Customers whose partner key this signup set or changed. */
  attributedCustomerIds: string[];
}

/**
 * Records (or updates) the signup for a customer key and attributes existing customers with that key
 * whose partner key did not come from Chargebee itself (payload keys outrank signups).
 */
export async function recordSignup(trx: Trx, dialect: Dialect, input: SignupInput): Promise<SignupResult> {
  const at = new Date();
  // Same lock as the customer apply's signup lookup (apply-customer.ts), so the two never race.
  if (dialect === 'postgresql') await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`customer_key:${input.customerKey}`]);
  await trx('signup')
    .insert({ customer_key: input.customerKey, partner_key: input.partnerKey, email: input.email ?? null, signed_up_at: input.signedUpAt ?? at })
    .onConflict('customer_key')
    .merge(['partner_key', 'email', 'signed_up_at']);
  const candidates = rowsOf<{ id: string; partner_key: string | null }>(await trx.raw(
    `select id, partner_key from customer where customer_key = ? and (partner_key is null or partner_key_source = 'signup') and (partner_key is null or partner_key <> ?)`,
    [input.customerKey, input.partnerKey],
  ));
  for (const customer of candidates) {
    await trx('customer').update({ partner_key: input.partnerKey, partner_key_source: 'signup', partner_key_version: 0 }).where('id', customer.id);
    await recordAttributionChanges(trx, customer.id, [
      { field: 'partner_key', oldValue: customer.partner_key, newValue: input.partnerKey, source: 'signup' },
    ], null, at);
  }
  return { attributedCustomerIds: candidates.map((c) => c.id) };
}
