import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/faults/support/service-process.js';

type Json = Record<string, unknown>;

/**
 * Real-sized Chargebee webhook bodies, generated fast enough not to load the load generator: each
 * event kind is serialised once with placeholders and then filled by concatenation.
 *   "@@N:x@@" (quoted) → the number x;  @@S:x@@ inside a string → the text x.
 */
interface Template { parts: string[]; slots: string[] }

function compile(shape: Json): Template {
  const text = JSON.stringify(shape);
  const parts: string[] = [];
  const slots: string[] = [];
  let last = 0;
  for (const m of text.matchAll(/"@@N:(\w+)@@"|@@S:(\w+)@@/g)) {
    parts.push(text.slice(last, m.index));
    slots.push((m[1] ?? m[2]) as string);
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(text.slice(last));
  return { parts, slots };
}

function fill(t: Template, values: Record<string, string | number>): string {
  let out = t.parts[0] as string;
  for (let i = 0; i < t.slots.length; i++) out += String(values[t.slots[i] as string]) + (t.parts[i + 1] as string);
  return out;
}

const samples = join(repoRoot, 'test/fixtures/chargebee-samples');
const payment = JSON.parse(readFileSync(join(samples, 'payment_succeeded.json'), 'utf8')) as { content: Json };
const baseCustomer = (payment.content.customer as Json);
const baseInvoice = payment.content.invoice as Json;
const baseLine = (baseInvoice.line_items as Json[])[0] as Json;

const customerShape = (): Json => ({
  ...baseCustomer, id: '@@S:cus@@', email: 'buyer+@@S:cus@@@example.com', first_name: 'Ada', last_name: 'Lovelace',
  cf_customer_id: 'key_@@S:cus@@', cf_partner_key: 'partner_@@S:partner@@', meta_data: { source: 'bench' },
  updated_at: '@@N:t@@', resource_version: '@@N:cv@@',
});

const pc1Subscription = (): Json => ({
  id: '@@S:sub@@', customer_id: '@@S:cus@@', object: 'subscription', plan_id: 'pro-monthly', plan_quantity: 2, plan_unit_price: 5000,
  plan_amount: 10000, billing_period: 1, billing_period_unit: 'month', status: 'active', currency_code: 'USD', mrr: '@@N:mrr@@',
  started_at: 1_700_000_000, current_term_start: 1_700_000_000, current_term_end: 1_702_592_000, activated_at: 1_700_000_000,
  auto_collection: 'on', has_scheduled_changes: false, due_invoices_count: 0, channel: 'web',
  addons: [{ id: 'seats', quantity: 3, unit_price: 900, amount: 2700, object: 'addon' }],
  created_at: 1_700_000_000, updated_at: '@@N:t@@', resource_version: '@@N:sv@@', deleted: false,
});

const pc2Subscription = (): Json => ({
  id: '@@S:sub@@', customer_id: '@@S:cus@@', object: 'subscription', billing_period: 1, billing_period_unit: 'month', status: 'active',
  currency_code: 'EUR', mrr: '@@N:mrr@@', started_at: 1_700_000_000, current_term_start: 1_700_000_000, current_term_end: 1_702_592_000,
  subscription_items: [
    { item_price_id: 'team-EUR-monthly', item_type: 'plan', quantity: 3, unit_price: 2000, amount: 6000, object: 'subscription_item' },
    { item_price_id: 'sso-addon-EUR', item_type: 'addon', quantity: 1, unit_price: 900, amount: 900, object: 'subscription_item' },
  ],
  auto_collection: 'on', has_scheduled_changes: false, channel: 'web',
  created_at: 1_700_000_000, updated_at: '@@N:t@@', resource_version: '@@N:sv@@', deleted: false,
});

/** An invoice of `lines` line items: 4 → ~3.2 KB, 7 → ~4.4 KB, 10 → ~5.6 KB. */
const invoiceShape = (lines: number): Json => ({
  ...baseInvoice, id: 'inv_@@S:txn@@', customer_id: '@@S:cus@@', subscription_id: '@@S:sub@@', updated_at: '@@N:t@@', resource_version: '@@N:tv@@',
  line_items: Array.from({ length: lines }, (_, i) => ({ ...baseLine, id: `li_@@S:txn@@_${i}`, subscription_id: '@@S:sub@@', customer_id: '@@S:cus@@' })),
});

const transactionShape = (): Json => ({
  id: '@@S:txn@@', customer_id: '@@S:cus@@', subscription_id: '@@S:sub@@', object: 'transaction', type: 'payment', status: 'success',
  amount: '@@N:amount@@', currency_code: 'USD', base_currency_code: 'USD', exchange_rate: 1.0, date: '@@N:t@@',
  payment_method: 'card', gateway: 'stripe', gateway_account_id: 'gw_bench', id_at_gateway: 'ch_@@S:txn@@', masked_card_number: '************4242',
  linked_invoices: [{ invoice_id: 'inv_@@S:txn@@', applied_amount: '@@N:amount@@', applied_at: '@@N:t@@', invoice_date: '@@N:t@@', invoice_total: '@@N:amount@@', invoice_status: 'paid' }],
  updated_at: '@@N:t@@', resource_version: '@@N:tv@@', deleted: false,
});

const envelope = (type: string, content: Json): Json => ({
  id: '@@S:ev@@', occurred_at: '@@N:t@@', source: 'scheduled_job', object: 'event', api_version: 'v2', event_type: type, webhook_status: 'scheduled',
  webhooks: [{ id: 'whv2_bench', webhook_status: 'scheduled', object: 'webhook' }], content,
});

const templates = {
  customer: compile(envelope('customer_changed', { customer: customerShape() })),
  pc1: compile(envelope('subscription_changed', { subscription: pc1Subscription(), customer: customerShape() })),
  pc2: compile(envelope('subscription_changed', { subscription: pc2Subscription(), customer: customerShape() })),
  payments: [4, 7, 10].map((lines) => compile(envelope('payment_succeeded', {
    transaction: transactionShape(), invoice: invoiceShape(lines), customer: customerShape(), subscription: pc1Subscription(),
  }))),
};

export interface EventMixOptions {
  /** Distinct customers (each with one subscription) the events spread over. */
  customers?: number;
  duplicateRate?: number;
  /** Makes ids unique across runs sharing a database. */
  runId: string;
  seed?: number;
}

/**
 * The bench's event stream: 30% customer_changed, 35% subscription_changed (half PC 1.0, half
 * PC 2.0), 35% payment_succeeded with a 3–6 KB invoice; 10% of bodies are re-sent duplicates.
 * Versions rise with every event, so most states win; concurrent delivery makes some stale.
 */
export function eventMix(options: EventMixOptions): { next(): string; kinds: Record<string, number> } {
  let state = (options.seed ?? 1) >>> 0;
  const random = () => ((state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296);
  const customers = options.customers ?? 5_000;
  const duplicateRate = options.duplicateRate ?? 0.1;
  const recent: string[] = [];
  const kinds: Record<string, number> = {};
  let seq = 0;
  let version = 1_750_000_000_000;

  const next = (): string => {
    if (recent.length > 50 && random() < duplicateRate) {
      kinds.duplicate = (kinds.duplicate ?? 0) + 1;
      return recent[Math.floor(random() * recent.length)] as string;
    }
    seq++;
    version += 3;
    const k = Math.floor(random() * customers);
    const values = {
      ev: `ev_${options.runId}_${seq}`, cus: `cus_${k}`, sub: `sub_${k}`, txn: `txn_${options.runId}_${seq}`, partner: k % 50,
      t: Math.floor(version / 1000), cv: version, sv: version + 1, tv: version + 2, mrr: 1000 + (seq % 9000), amount: 500 + (seq % 100_000),
    };
    const roll = random();
    const [kind, template] = roll < 0.3 ? ['customer_changed', templates.customer]
      : roll < 0.475 ? ['subscription_changed_pc1', templates.pc1]
        : roll < 0.65 ? ['subscription_changed_pc2', templates.pc2]
          : ['payment_succeeded', templates.payments[seq % 3] as Template];
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const body = fill(template, values);
    if (recent.length < 1000) recent.push(body);
    else recent[seq % 1000] = body;
    return body;
  };
  return { next, kinds };
}

/** Byte sizes of one body of each kind (for the results file). */
export function bodySizes(): Record<string, number | string> {
  const values = { ev: 'ev_x', cus: 'cus_1', sub: 'sub_1', txn: 'txn_1', partner: 1, t: 1_750_000_000, cv: 1, sv: 1, tv: 1, mrr: 1, amount: 1 };
  return {
    customer_changed: fill(templates.customer, values).length,
    subscription_changed_pc1: fill(templates.pc1, values).length,
    subscription_changed_pc2: fill(templates.pc2, values).length,
    ...Object.fromEntries(templates.payments.map((t, i) => [`payment_succeeded_${i}`, fill(t, values).length])),
    invoice_of_payment: [4, 7, 10].map((n) => JSON.stringify(invoiceShape(n)).length).join('/'),
  };
}
