import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

/** Chargebee-shaped events for tests: the public sample envelopes (test/fixtures/chargebee-samples) and builders for the rest. */

type Json = Record<string, unknown>;

const here = dirname(fileURLToPath(import.meta.url));
// Copies of ../shared/chargebee-samples (MIT, see the LICENSE files there), so a clone tests on its own.
export const samplesDir = join(here, '../fixtures/chargebee-samples');

export function sample(name: string): Json {
  return JSON.parse(readFileSync(join(samplesDir, `${name}.json`), 'utf8')) as Json;
}

export function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(here, '../fixtures', `${name}.json`), 'utf8')) as Json;
}

let counter = 0;
export const nextEventId = () => `ev_test_${Date.now().toString(36)}_${(counter++).toString(36)}`;

export function envelope(eventType: string, content: Json, options: { id?: string; occurredAt?: number } = {}): Json {
  return {
    id: options.id ?? nextEventId(),
    occurred_at: options.occurredAt ?? 1_700_000_000,
    source: 'admin_console',
    object: 'event',
    api_version: 'v2',
    event_type: eventType,
    webhook_status: 'scheduled',
    content,
  };
}

export function customer(id: string, version: number, extra: Json = {}): Json {
  return {
    id, object: 'customer', email: `${id}@example.com`, first_name: 'Ada', last_name: 'Lovelace', company: 'Analytical',
    created_at: 1_700_000_000, updated_at: Math.floor(version / 1000), resource_version: version, deleted: false,
    auto_collection: 'on', preferred_currency_code: 'USD', ...extra,
  };
}

export function pc1Subscription(id: string, customerId: string, version: number, extra: Json = {}): Json {
  return {
    id, customer_id: customerId, object: 'subscription', plan_id: 'pro-monthly', plan_quantity: 2, plan_unit_price: 5000,
    plan_amount: 10000, billing_period: 1, billing_period_unit: 'month', status: 'active', currency_code: 'USD', mrr: 10000,
    started_at: 1_700_000_000, current_term_start: 1_700_000_000, current_term_end: 1_702_592_000,
    created_at: 1_700_000_000, updated_at: Math.floor(version / 1000), resource_version: version, deleted: false, ...extra,
  };
}

export function pc2Subscription(id: string, customerId: string, version: number, extra: Json = {}): Json {
  return {
    id, customer_id: customerId, object: 'subscription', billing_period: 1, billing_period_unit: 'month', status: 'in_trial',
    currency_code: 'EUR', mrr: 0, trial_start: 1_700_000_000, trial_end: 1_701_209_600,
    subscription_items: [
      { item_price_id: 'team-EUR-monthly', item_type: 'plan', quantity: 3, unit_price: 2000, amount: 6000, object: 'subscription_item' },
      { item_price_id: 'sso-addon-EUR', item_type: 'addon', quantity: 1, unit_price: 900, amount: 900, object: 'subscription_item' },
    ],
    created_at: 1_700_000_000, updated_at: Math.floor(version / 1000), resource_version: version, deleted: false, ...extra,
  };
}

export function transaction(id: string, customerId: string, version: number, extra: Json = {}): Json {
  return {
    id, customer_id: customerId, subscription_id: null, object: 'transaction', type: 'payment', status: 'success',
    amount: 10000, currency_code: 'USD', base_currency_code: 'USD', exchange_rate: 1.0, date: 1_700_000_100,
    payment_method: 'card', gateway: 'stripe',
    linked_invoices: [{ invoice_id: 'inv_1', applied_amount: 10000, applied_at: 1_700_000_100, invoice_date: 1_700_000_000, invoice_total: 10000, invoice_status: 'paid' }],
    updated_at: Math.floor(version / 1000), resource_version: version, deleted: false, ...extra,
  };
}
