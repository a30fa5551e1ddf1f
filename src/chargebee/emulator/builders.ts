// Factories that turn a partial input into a complete, realistic Chargebee
// object (defaults copied from the public sample payloads), plus the derived
// fields of subscriptions (amounts, mrr, status timestamps).
import type {
  CreateInput,
  Customer,
  ItemPrice,
  PeriodUnit,
  Plan,
  Subscription,
  SubscriptionItem,
  SubscriptionItemInput,
  Transaction,
} from './types.js';

export interface Stamp {
  id: string;
  /** unix seconds */
  now: number;
  resourceVersion: number;
}

export interface CatalogPrice {
  price: number;
  period?: number;
  period_unit?: PeriodUnit;
  currency_code?: string;
}
export type CatalogLookup = (kind: 'plan' | 'item_price', id: string) => CatalogPrice | undefined;

const DAY = 86_400;

/** Drops keys whose value is undefined so spreading an input never erases a default. */
export function defined<T extends object>(input: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(input) as (keyof T)[]) {
    if (input[key] !== undefined) out[key] = input[key];
  }
  return out;
}

export function addPeriod(ts: number, period: number, unit: PeriodUnit): number {
  if (unit === 'day') return ts + period * DAY;
  if (unit === 'week') return ts + period * 7 * DAY;
  const d = new Date(ts * 1000);
  d.setUTCMonth(d.getUTCMonth() + (unit === 'year' ? 12 * period : period));
  return Math.floor(d.getTime() / 1000);
}

function monthsIn(period: number, unit: PeriodUnit): number {
  if (unit === 'day') return period / 30;
  if (unit === 'week') return (period * 7) / 30;
  return unit === 'year' ? period * 12 : period;
}

export function buildCustomer(input: CreateInput<'customer'>, s: Stamp): Customer {
  return {
    object: 'customer',
    auto_collection: 'on',
    net_term_days: 0,
    allow_direct_debit: false,
    taxability: 'taxable',
    locale: 'en',
    pii_cleared: 'active',
    card_status: 'no_card',
    promotional_credits: 0,
    refundable_credits: 0,
    excess_payments: 0,
    unbilled_charges: 0,
    preferred_currency_code: 'USD',
    mrr: 0,
    ...defined(input),
    id: s.id,
    created_at: input.created_at ?? s.now,
    updated_at: input.updated_at ?? s.now,
    resource_version: input.resource_version ?? s.resourceVersion,
    deleted: input.deleted ?? false,
  };
}

export function buildPlan(input: CreateInput<'plan'>, s: Stamp): Plan {
  return {
    name: s.id,
    invoice_name: input.name ?? s.id,
    price: 1000,
    period: 1,
    period_unit: 'month',
    pricing_model: 'per_unit',
    charge_model: 'per_unit',
    free_quantity: 0,
    currency_code: 'USD',
    status: 'active',
    enabled_in_portal: true,
    taxable: true,
    ...defined(input),
    object: 'plan',
    id: s.id,
    created_at: input.created_at ?? s.now,
    updated_at: input.updated_at ?? s.now,
    resource_version: input.resource_version ?? s.resourceVersion,
  };
}

export function buildItemPrice(input: CreateInput<'item_price'>, s: Stamp): ItemPrice {
  // Migrated/PC2 ids look like "<item>-<CURRENCY>[-<period>]"; the item id is the prefix.
  const itemId = input.item_id ?? s.id.replace(/-[A-Z]{3}(-.*)?$/, '');
  return {
    name: s.id,
    external_name: input.name ?? s.id,
    item_type: 'plan',
    pricing_model: 'per_unit',
    price: 1000,
    period: 1,
    period_unit: 'month',
    free_quantity: 0,
    currency_code: 'USD',
    status: 'active',
    is_taxable: true,
    ...defined(input),
    object: 'item_price',
    id: s.id,
    item_id: itemId,
    created_at: input.created_at ?? s.now,
    updated_at: input.updated_at ?? s.now,
    resource_version: input.resource_version ?? s.resourceVersion,
  };
}

export function buildTransaction(input: CreateInput<'transaction'>, s: Stamp, invoiceId: string): Transaction {
  const type = input.type ?? 'payment';
  const status = input.status ?? 'success';
  const amount = input.amount ?? 1000;
  const date = input.date ?? s.now;
  const currency = input.currency_code ?? 'USD';
  const linked =
    input.linked_invoices ??
    (type === 'payment'
      ? [
          {
            invoice_id: invoiceId,
            applied_amount: status === 'success' ? amount : 0,
            applied_at: s.now,
            invoice_date: date,
            invoice_total: amount,
            invoice_status: status === 'success' ? 'paid' : 'payment_due',
          },
        ]
      : []);
  return {
    payment_method: 'card',
    gateway: 'chargebee',
    amount_unused: 0,
    linked_refunds: [],
    base_currency_code: currency,
    exchange_rate: 1.0,
    ...defined(input),
    object: 'transaction',
    id: s.id,
    customer_id: input.customer_id ?? '',
    type,
    status,
    amount,
    currency_code: currency,
    date,
    linked_invoices: linked,
    updated_at: input.updated_at ?? s.now,
    resource_version: input.resource_version ?? s.resourceVersion,
    deleted: input.deleted ?? false,
  };
}

export function buildSubscription(input: CreateInput<'subscription'>, s: Stamp, catalog: CatalogLookup): Subscription {
  const { subscription_items: items, ...rest } = input;
  const base: Subscription = {
    auto_collection: 'on',
    has_scheduled_changes: false,
    due_invoices_count: 0,
    exchange_rate: 1.0,
    base_currency_code: input.currency_code ?? 'USD',
    ...defined(rest),
    object: 'subscription',
    id: s.id,
    customer_id: input.customer_id ?? '',
    status: input.status ?? 'active',
    currency_code: input.currency_code ?? 'USD',
    created_at: input.created_at ?? s.now,
    updated_at: input.updated_at ?? s.now,
    resource_version: input.resource_version ?? s.resourceVersion,
    deleted: input.deleted ?? false,
  };
  // Modern sites are PC 2.0, so an input naming neither shape gets a PC2 plan item.
  const itemInputs = items ?? (base.plan_id === undefined ? [{ item_price_id: 'basic-USD' }] : undefined);
  return deriveSubscription(base, itemInputs, (k) => input[k] !== undefined, catalog, s.now, true);
}

/**
 * Fills derived subscription fields in place on a freshly built/merged object
 * (no copy: seeding calls this 100k times). `explicit` tells which fields the
 * caller set in this create/update; those win over derivation.
 */
export function deriveSubscription(
  sub: Subscription,
  itemInputs: readonly SubscriptionItemInput[] | undefined,
  explicit: (key: string) => boolean,
  catalog: CatalogLookup,
  now: number,
  isCreate: boolean,
): Subscription {
  const out = sub;
  const touchesPrice =
    isCreate || ['plan_id', 'plan_quantity', 'plan_unit_price', 'subscription_items'].some(explicit);
  let planCatalog: CatalogPrice | undefined;
  let recurring = 0;
  if (out.plan_id !== undefined) {
    planCatalog = catalog('plan', out.plan_id);
    if (touchesPrice) {
      out.plan_quantity = out.plan_quantity ?? 1;
      out.plan_unit_price = out.plan_unit_price ?? planCatalog?.price ?? 1000;
      if (!explicit('plan_amount')) out.plan_amount = out.plan_quantity * out.plan_unit_price;
      out.plan_free_quantity = out.plan_free_quantity ?? 0;
    }
    recurring = out.plan_amount ?? 0;
  }
  if (itemInputs !== undefined) out.subscription_items = itemInputs.map((it) => deriveItem(it, catalog));
  if (out.subscription_items !== undefined) {
    const planItem = out.subscription_items.find((it) => it.item_type === 'plan');
    if (planItem && planCatalog === undefined) planCatalog = catalog('item_price', planItem.item_price_id);
    recurring += out.subscription_items.filter((it) => it.item_type !== 'charge').reduce((n, it) => n + it.amount, 0);
  }
  out.billing_period = out.billing_period ?? planCatalog?.period ?? 1;
  out.billing_period_unit = out.billing_period_unit ?? planCatalog?.period_unit ?? 'month';
  const start = out.created_at;
  const termEnd = (from: number): number => addPeriod(from, out.billing_period ?? 1, out.billing_period_unit ?? 'month');
  switch (out.status) {
    case 'in_trial':
      out.trial_start = out.trial_start ?? start;
      out.trial_end = out.trial_end ?? start + 14 * DAY;
      out.next_billing_at = out.next_billing_at ?? out.trial_end;
      break;
    case 'future':
      out.start_date = out.start_date ?? start + 7 * DAY;
      out.next_billing_at = out.next_billing_at ?? out.start_date;
      break;
    case 'cancelled':
      out.cancelled_at = out.cancelled_at ?? now;
      out.current_term_start = out.current_term_start ?? start;
      out.current_term_end = out.current_term_end ?? out.cancelled_at;
      // delete only when present: deleting switches V8 objects to slow dictionary mode
      if (out.next_billing_at !== undefined) delete out.next_billing_at;
      break;
    default:
      out.started_at = out.started_at ?? start;
      out.activated_at = out.activated_at ?? out.trial_end ?? start;
      out.current_term_start = out.current_term_start ?? out.activated_at ?? start;
      out.current_term_end = out.current_term_end ?? termEnd(out.current_term_start ?? start);
      if (out.status === 'active') out.next_billing_at = out.next_billing_at ?? out.current_term_end;
  }
  if (!explicit('mrr')) {
    const billing = out.status === 'active' || out.status === 'non_renewing';
    out.mrr = billing ? Math.round(recurring / monthsIn(out.billing_period, out.billing_period_unit)) : 0;
  }
  return out;
}

function deriveItem(it: SubscriptionItemInput, catalog: CatalogLookup): SubscriptionItem {
  const quantity = it.quantity ?? 1;
  const unitPrice = it.unit_price ?? catalog('item_price', it.item_price_id)?.price ?? 1000;
  // A literal plus a key loop is much cheaper than spreading the input (hot in seeding).
  const out: SubscriptionItem = {
    item_price_id: it.item_price_id,
    item_type: it.item_type ?? 'plan',
    quantity,
    unit_price: unitPrice,
    amount: it.amount ?? quantity * unitPrice,
    free_quantity: it.free_quantity ?? 0,
    object: 'subscription_item',
  };
  for (const key of Object.keys(it)) if (!(key in out)) Object.assign(out, { [key]: (it as Record<string, unknown>)[key] });
  return out;
}

/** Minimal invoice for payment event content; invoices are not a stored resource here. */
export function invoiceFor(txn: Transaction): Record<string, unknown> | undefined {
  const link = txn.linked_invoices[0];
  if (!link) return undefined;
  const paid = txn.status === 'success';
  return {
    id: link.invoice_id,
    customer_id: txn.customer_id,
    subscription_id: txn.subscription_id,
    recurring: txn.subscription_id !== undefined,
    status: paid ? 'paid' : 'payment_due',
    date: link.invoice_date,
    total: link.invoice_total,
    amount_paid: paid ? link.applied_amount : 0,
    amount_due: paid ? 0 : link.invoice_total,
    paid_at: paid ? txn.date : undefined,
    updated_at: txn.updated_at,
    resource_version: txn.resource_version,
    deleted: false,
    object: 'invoice',
    currency_code: txn.currency_code,
    base_currency_code: txn.base_currency_code,
    exchange_rate: txn.exchange_rate,
    linked_payments: [
      { txn_id: txn.id, applied_amount: link.applied_amount, txn_status: txn.status, txn_date: txn.date, txn_amount: txn.amount },
    ],
  };
}
