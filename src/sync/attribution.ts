import type { ChargebeeCustomer } from './chargebee-schema.js';

/** A key and where it was found. */
export interface FoundKey {
  value: string;
  source: string;
}

export interface KeysInPayload {
  customerKey: FoundKey | null;
  partnerKey: FoundKey | null;
}

/** The attribution stored on a customer row. */
export interface StoredAttribution {
  customerKey: string | null;
  customerKeySource: string | null;
  customerKeyVersion: number | null;
  partnerKey: string | null;
  partnerKeySource: string | null;
  partnerKeyVersion: number | null;
}

export const noAttribution: StoredAttribution = {
  customerKey: null, customerKeySource: null, customerKeyVersion: null,
  partnerKey: null, partnerKeySource: null, partnerKeyVersion: null,
};

export interface AttributionChangeRecord {
  field: 'customer_key' | 'partner_key';
  oldValue: string | null;
  newValue: string | null;
  source: string;
}

const nonEmpty = (value: unknown): string | null => {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
};

function firstFound(candidates: [unknown, string][]): FoundKey | null {
  for (const [value, source] of candidates) {
    const found = nonEmpty(value);
    if (found !== null) return { value: found, source };
  }
  return null;
}

/**
 * The keys a customer payload carries, in the integration guide's precedence:
 * customer key from meta_data.customer_key, then cf_customer_id; partner key from cf_partner_key,
 * then meta_data.partner_key.
 */
export function keysInPayload(customer: ChargebeeCustomer): KeysInPayload {
  const meta = customer.meta_data ?? {};
  return {
    customerKey: firstFound([[meta.customer_key, 'meta_data.customer_key'], [customer.cf_customer_id, 'cf_customer_id']]),
    partnerKey: firstFound([[customer.cf_partner_key, 'cf_partner_key'], [meta.partner_key, 'meta_data.partner_key']]),
  };
}

// Keys that did not come from a payload rank below every payload key, whatever its version.
const FALLBACK_VERSION = 0;
const SIGNUP_VERSION = 0;
const payloadVersion = (version: number) => Math.max(version, 1);

/** Whether a payload key found at `version` replaces the stored one. Older payloads only fill gaps. */
function payloadKeyWins(stored: string | null, storedVersion: number | null, version: number): boolean {
  return stored === null || payloadVersion(version) > (storedVersion ?? -1);
}

export interface ResolvedCustomerKey {
  customerKey: string | null;
  customerKeySource: string | null;
  customerKeyVersion: number | null;
}

/**
 * Sticky, order-independent customer key: the key of the newest payload that had one; a payload
 * without a key never erases it. The Chargebee customer id stands in only when enabled and nothing else is known.
 */
export function resolveCustomerKey(
  stored: StoredAttribution,
  found: KeysInPayload,
  version: number,
  fallbackCustomerId: string | null,
): ResolvedCustomerKey {
  if (found.customerKey && payloadKeyWins(stored.customerKey, stored.customerKeyVersion, version)) {
    return { customerKey: found.customerKey.value, customerKeySource: found.customerKey.source, customerKeyVersion: payloadVersion(version) };
  }
  if (stored.customerKey === null && fallbackCustomerId !== null) {
    return { customerKey: fallbackCustomerId, customerKeySource: 'customer_id', customerKeyVersion: FALLBACK_VERSION };
  }
  return { customerKey: stored.customerKey, customerKeySource: stored.customerKeySource, customerKeyVersion: stored.customerKeyVersion };
}

export interface ResolvedPartnerKey {
  partnerKey: string | null;
  partnerKeySource: string | null;
  partnerKeyVersion: number | null;
}

/**
 * Partner key: the newest payload's, else one a payload gave earlier, else the partner of the signup
 * recorded under the customer key (so the signup counts whether it arrived before or after the customer).
 */
export function resolvePartnerKey(
  stored: StoredAttribution,
  found: KeysInPayload,
  version: number,
  signupPartnerKey: string | null,
): ResolvedPartnerKey {
  if (found.partnerKey && payloadKeyWins(stored.partnerKey, stored.partnerKeyVersion, version)) {
    return { partnerKey: found.partnerKey.value, partnerKeySource: found.partnerKey.source, partnerKeyVersion: payloadVersion(version) };
  }
  const storedFromPayload = stored.partnerKey !== null && stored.partnerKeySource !== 'signup';
  if (!storedFromPayload && signupPartnerKey !== null) {
    return { partnerKey: signupPartnerKey, partnerKeySource: 'signup', partnerKeyVersion: SIGNUP_VERSION };
  }
  return { partnerKey: stored.partnerKey, partnerKeySource: stored.partnerKeySource, partnerKeyVersion: stored.partnerKeyVersion };
}

/** The history lines for what changed between two attributions. */
export function attributionChanges(before: StoredAttribution, after: StoredAttribution): AttributionChangeRecord[] {
  const changes: AttributionChangeRecord[] = [];
  if (after.customerKey !== before.customerKey && after.customerKey !== null) {
    changes.push({ field: 'customer_key', oldValue: before.customerKey, newValue: after.customerKey, source: after.customerKeySource ?? 'unknown' });
  }
  if (after.partnerKey !== before.partnerKey && after.partnerKey !== null) {
    changes.push({ field: 'partner_key', oldValue: before.partnerKey, newValue: after.partnerKey, source: after.partnerKeySource ?? 'unknown' });
  }
  return changes;
}

/** Whether the attribution columns differ (keys, sources or versions). */
export function attributionDiffers(a: StoredAttribution, b: StoredAttribution): boolean {
  return a.customerKey !== b.customerKey || a.customerKeySource !== b.customerKeySource || a.customerKeyVersion !== b.customerKeyVersion
    || a.partnerKey !== b.partnerKey || a.partnerKeySource !== b.partnerKeySource || a.partnerKeyVersion !== b.partnerKeyVersion;
}
