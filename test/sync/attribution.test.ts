import { describe, expect, it } from 'vitest';
import {
  attributionChanges, keysInPayload, noAttribution, resolveCustomerKey, resolvePartnerKey, type StoredAttribution,
} from '../../src/sync/attribution.js';
import { customerSchema } from '../../src/sync/chargebee-schema.js';

const parse = (extra: Record<string, unknown>) => customerSchema.parse({ id: 'cust_1', ...extra });

describe('keysInPayload', () => {
  it('prefers meta_data.customer_key over cf_customer_id, and cf_partner_key over meta_data.partner_key', () => {
    const keys = keysInPayload(parse({
      meta_data: { customer_key: 'ck_meta', partner_key: 'pk_meta' }, cf_customer_id: 'ck_cf', cf_partner_key: 'pk_cf',
    }));
    expect(keys.customerKey).toEqual({ value: 'ck_meta', source: 'meta_data.customer_key' });
    expect(keys.partnerKey).toEqual({ value: 'pk_cf', source: 'cf_partner_key' });
  });

  it('falls back to the second source, ignores blanks, and reads meta_data given as JSON text', () => {
    const keys = keysInPayload(parse({ meta_data: '{"customer_key":"  ","partner_key":"pk_text"}', cf_customer_id: 'ck_cf' }));
    expect(keys.customerKey).toEqual({ value: 'ck_cf', source: 'cf_customer_id' });
    expect(keys.partnerKey).toEqual({ value: 'pk_text', source: 'meta_data.partner_key' });
  });

  it('finds nothing in a plain customer', () => {
    expect(keysInPayload(parse({ meta_data: 'not json' }))).toEqual({ customerKey: null, partnerKey: null });
  });
});

describe('resolveCustomerKey', () => {
  const found = (value: string) => ({ customerKey: { value, source: 'meta_data.customer_key' }, partnerKey: null });
  const none = { customerKey: null, partnerKey: null };

  it('is sticky: a payload without a key keeps the stored one', () => {
    const stored: StoredAttribution = { ...noAttribution, customerKey: 'ck_1', customerKeySource: 'cf_customer_id', customerKeyVersion: 10 };
    expect(resolveCustomerKey(stored, none, 20, null).customerKey).toBe('ck_1');
  });

  it('a newer payload key replaces the stored one; an older one does not', () => {
    const stored: StoredAttribution = { ...noAttribution, customerKey: 'ck_1', customerKeySource: 'cf_customer_id', customerKeyVersion: 10 };
    expect(resolveCustomerKey(stored, found('ck_2'), 20, null)).toMatchObject({ customerKey: 'ck_2', customerKeyVersion: 20 });
    expect(resolveCustomerKey(stored, found('ck_0'), 5, null).customerKey).toBe('ck_1');
  });

  it('an older payload still fills a missing key', () => {
    expect(resolveCustomerKey(noAttribution, found('ck_old'), 5, null).customerKey).toBe('ck_old');
  });

  it('uses the customer id only when enabled and nothing else is known, and a real key later replaces it', () => {
    expect(resolveCustomerKey(noAttribution, none, 5, null).customerKey).toBeNull();
    const fallback = resolveCustomerKey(noAttribution, none, 5, 'cust_1');
    expect(fallback).toMatchObject({ customerKey: 'cust_1', customerKeySource: 'customer_id' });
    const stored = { ...noAttribution, ...fallback };
    expect(resolveCustomerKey(stored, found('ck_real'), 1, 'cust_1').customerKey).toBe('ck_real');
  });
});

describe('resolvePartnerKey', () => {
  const payload = { customerKey: null, partnerKey: { value: 'pk_payload', source: 'cf_partner_key' } };
  const none = { customerKey: null, partnerKey: null };

  it('takes the signup partner when no payload gave one', () => {
    expect(resolvePartnerKey(noAttribution, none, 10, 'pk_signup')).toMatchObject({ partnerKey: 'pk_signup', partnerKeySource: 'signup' });
  });

  it('a payload partner outranks a signup partner, whichever came first', () => {
    const fromSignup = { ...noAttribution, partnerKey: 'pk_signup', partnerKeySource: 'signup', partnerKeyVersion: 0 };
    expect(resolvePartnerKey(fromSignup, payload, 1, 'pk_signup').partnerKey).toBe('pk_payload');
    const fromPayload = { ...noAttribution, partnerKey: 'pk_payload', partnerKeySource: 'cf_partner_key', partnerKeyVersion: 10 };
    expect(resolvePartnerKey(fromPayload, none, 20, 'pk_signup').partnerKey).toBe('pk_payload');
  });
});

describe('attributionChanges', () => {
  it('records new and changed keys, never an erasure', () => {
    const before = { ...noAttribution, customerKey: 'ck_1', customerKeySource: 'cf_customer_id', customerKeyVersion: 1 };
    const after = { ...before, customerKey: 'ck_2', partnerKey: 'pk_1', partnerKeySource: 'signup', partnerKeyVersion: 0 };
    expect(attributionChanges(before, after)).toEqual([
      { field: 'customer_key', oldValue: 'ck_1', newValue: 'ck_2', source: 'cf_customer_id' },
      { field: 'partner_key', oldValue: null, newValue: 'pk_1', source: 'signup' },
    ]);
    expect(attributionChanges(after, before).filter((c) => c.field === 'partner_key')).toEqual([]);
  });
});
