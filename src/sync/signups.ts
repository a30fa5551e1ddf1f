import type { Dialect } from '../db/orm.js';
import type { Trx } from './db-helpers.js';
import { recordAttributionChanges } from './apply-customer.js';
import { customerKeyLock, lockNames } from './locks.js';
import { sqlOf } from './sql.js';

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
  const sql = await sqlOf(trx, dialect);
  await lockNames(sql, [customerKeyLock(input.customerKey)]);
  await trx('signup')
    .insert({ customer_key: input.customerKey, partner_key: input.partnerKey, email: input.email ?? null, signed_up_at: input.signedUpAt ?? at })
    .onConflict('customer_key')
    .merge(['partner_key', 'email', 'signed_up_at']);
  const candidates: { id: string; partner_key: string | null }[] = await trx('customer')
    .select('id', 'partner_key')
    .where('customer_key', input.customerKey)
    .andWhere((q) => q.whereNull('partner_key').orWhere('partner_key_source', 'signup'))
    .andWhere((q) => q.whereNull('partner_key').orWhereNot('partner_key', input.partnerKey))
    .orderBy('id');
  if (candidates.length === 0) return { attributedCustomerIds: [] };
  await trx('customer')
    .update({ partner_key: input.partnerKey, partner_key_source: 'signup', partner_key_version: 0 })
    .whereIn('id', candidates.map((c) => c.id));
  await recordAttributionChanges(sql, candidates.map((c) => ({
    customerId: c.id,
    change: { field: 'partner_key' as const, oldValue: c.partner_key, newValue: input.partnerKey, source: 'signup' },
    eventId: null,
  })), at);
  return { attributedCustomerIds: candidates.map((c) => c.id) };
}
