import type { ChargebeeCustomer } from './chargebee-schema.js';
import {
  attributionChanges, attributionDiffers, keysInPayload, noAttribution, resolveCustomerKey, resolvePartnerKey,
  type AttributionChangeRecord, type StoredAttribution,
} from './attribution.js';
import { customerRow } from './rows.js';
import { rowsOf, toNumber, versionGuard, type Trx } from './db-helpers.js';
import type { ApplyContext } from './apply-context.js';
import type { Dialect } from '../db/orm.js';

const attributionColumns = [
  'customer_key', 'customer_key_source', 'customer_key_version', 'partner_key', 'partner_key_source', 'partner_key_version',
] as const;

interface StoredCustomer extends StoredAttribution {
  exists: boolean;
}

async function loadForUpdate(ctx: ApplyContext, id: string): Promise<StoredCustomer> {
  const select = `c.customer_key, c.customer_key_source, c.customer_key_version, c.partner_key, c.partner_key_source, c.partner_key_version, c.id`;
  // On PostgreSQL a transaction-scoped advisory lock on the customer id serialises concurrent applies
  // to one customer, including its first insert, so attribution is computed from the latest row.
  const result = ctx.dialect === 'postgresql'
    ? await ctx.trx.raw(`select ${select} from (select pg_advisory_xact_lock(hashtext(?))) l left join customer c on c.id = ?`, [`customer:${id}`, id])
    : await ctx.trx.raw(`select ${select} from customer c where c.id = ?`, [id]);
  const row = rowsOf<Record<string, unknown>>(result)[0];
  if (!row || row.id === null || row.id === undefined) return { ...noAttribution, exists: false };
  return {
    exists: true,
    customerKey: (row.customer_key as string | null) ?? null,
    customerKeySource: (row.customer_key_source as string | null) ?? null,
    customerKeyVersion: toNumber(row.customer_key_version),
    partnerKey: (row.partner_key as string | null) ?? null,
    partnerKeySource: (row.partner_key_source as string | null) ?? null,
    partnerKeyVersion: toNumber(row.partner_key_version),
  };
}

/**
 * The partner of the signup recorded under a customer key. On PostgreSQL it first takes the
 * customer key's advisory lock, which recordSignup takes too: whichever of customer and signup
 * commits second sees the other, so the outcome does not depend on their order.
 */
export async function signupPartnerFor(trx: Trx, dialect: Dialect, customerKey: string | null): Promise<string | null> {
  if (customerKey === null) return null;
  const result = dialect === 'postgresql'
    ? await trx.raw('select s.partner_key from (select pg_advisory_xact_lock(hashtext(?))) l left join signup s on s.customer_key = ?', [`customer_key:${customerKey}`, customerKey])
    : await trx.raw('select partner_key from signup where customer_key = ?', [customerKey]);
  return (rowsOf<{ partner_key: string | null }>(result)[0]?.partner_key) ?? null;
}

export async function recordAttributionChanges(
  trx: Trx, customerId: string, changes: AttributionChangeRecord[], eventId: string | null, at: Date,
): Promise<void> {
  if (changes.length === 0) return;
  await trx('attribution_change').insert(changes.map((c) => ({
    customer_id: customerId, field: c.field, old_value: c.oldValue, new_value: c.newValue, source: c.source, event_id: eventId, changed_at: at,
  })));
}

function attributionColumnsOf(a: StoredAttribution): Record<(typeof attributionColumns)[number], string | number | null> {
  return {
    customer_key: a.customerKey, customer_key_source: a.customerKeySource, customer_key_version: a.customerKeyVersion,
    partner_key: a.partnerKey, partner_key_source: a.partnerKeySource, partner_key_version: a.partnerKeyVersion,
  };
}

/**
 * Applies one customer state. The state columns follow the version guard inside the upsert; the
 * attribution columns are sticky and may be filled in even from an older payload (see attribution.ts).
 * Returns whether the row changed.
 */
export async function applyCustomer(ctx: ApplyContext, customer: ChargebeeCustomer, deleted: boolean): Promise<boolean> {
  const { trx } = ctx;
  const stored = await loadForUpdate(ctx, customer.id);
  const row = customerRow(customer, deleted, ctx.stamp);
  const version = row.resource_version as number;
  const found = keysInPayload(customer);
  const key = resolveCustomerKey(stored, found, version, ctx.fallbackToCustomerId ? customer.id : null);
  const needsSignup = !(found.partnerKey) && (stored.partnerKey === null || stored.partnerKeySource === 'signup');
  const signupPartner = needsSignup ? await signupPartnerFor(trx, ctx.dialect, key.customerKey) : null;
  const attribution: StoredAttribution = { ...key, ...resolvePartnerKey({ ...stored, ...key }, found, version, signupPartner) };
  const attributionChanged = attributionDiffers(stored, attribution);

  const full = { ...row, ...attributionColumnsOf(attribution) };
  const upserted = await trx('customer')
    .insert(full)
    .onConflict('id')
    .merge(Object.keys(full).filter((c) => c !== 'id'))
    .where(trx.raw(versionGuard('customer')))
    .returning('id');
  let changed = upserted.length > 0;
  if (!changed && attributionChanged) {
    await trx('customer').update(attributionColumnsOf(attribution)).where('id', customer.id);
    changed = true;
  }
  if (changed) await recordAttributionChanges(trx, customer.id, attributionChanges(stored, attribution), ctx.eventId, ctx.stamp.at);
  return changed;
}
