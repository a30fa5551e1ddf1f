// Bulk data generation. Builds records directly and inserts them in one go
// (no per-record events or cache invalidation) so 100k+ records take well under
// a second or two; events are recorded only when asked for.
import { buildCustomer, buildSubscription, buildTransaction } from './builders.js';
import { mulberry32, type Rng } from './rng.js';
import type { Store } from './store.js';
import type { Customer, Subscription, SubscriptionInput, SubscriptionStatus, Transaction } from './types.js';

export interface SeedOptions {
  customers: number;
  /** Default 1. */
  subscriptionsPerCustomer?: number;
  /** One successful payment per subscription by default 0. */
  transactionsPerSubscription?: number;
  /** Subscription shape: PC 1.0 (plan_id), PC 2.0 (subscription_items) or alternating. Default 'pc2'. */
  catalog?: 'pc1' | 'pc2' | 'mixed';
  /** Relative weights. Default active 70, in_trial 10, cancelled 15, non_renewing 5. */
  statuses?: Partial<Record<SubscriptionStatus, number>>;
  /** Fraction of customers (with their subscriptions) created soft-deleted. Default 0. */
  deletedFraction?: number;
  /** created_at is spread over this many days before the emulator clock. Default 365. */
  spreadDays?: number;
  /** Also record customer_created / subscription_created / payment_succeeded events. Default false. */
  events?: boolean;
  /** PRNG seed for reproducible data. Default 1. */
  seed?: number;
  /** Id prefix; default is unique per seed call. Ids are `${prefix}cus_0000001` etc. */
  idPrefix?: string;
}

export interface SeedResult {
  customers: number;
  subscriptions: number;
  transactions: number;
  events: number;
  idPrefix: string;
  ms: number;
}

const DEFAULT_STATUSES: Partial<Record<SubscriptionStatus, number>> = { active: 70, in_trial: 10, cancelled: 15, non_renewing: 5 };

/** PC1 plans and PC2 item prices the seeded subscriptions refer to (created once, with events). */
export function ensureCatalog(store: Store): void {
  const plans = [
    { id: 'basic', name: 'Basic', price: 1000, period: 1, period_unit: 'month' as const },
    { id: 'pro-yearly', name: 'Pro (yearly)', price: 96000, period: 1, period_unit: 'year' as const },
  ];
  for (const p of plans) if (!store.get('plan', p.id)) store.create('plan', p);
  const prices = [
    { id: 'basic-USD', item_id: 'basic', name: 'Basic USD Monthly', price: 1000, period: 1, period_unit: 'month' as const },
    { id: 'pro-USD-yearly', item_id: 'pro', name: 'Pro USD Yearly', price: 96000, period: 1, period_unit: 'year' as const },
    { id: 'seats-USD', item_id: 'seats', name: 'Extra seats', item_type: 'addon' as const, price: 500, period: 1, period_unit: 'month' as const },
  ];
  for (const p of prices) if (!store.get('item_price', p.id)) store.create('item_price', p);
}

function pickStatus(rng: Rng, weights: Partial<Record<SubscriptionStatus, number>>): SubscriptionStatus {
  const entries = Object.entries(weights) as [SubscriptionStatus, number][];
  const total = entries.reduce((n, [, w]) => n + w, 0);
  let x = rng() * total;
  for (const [status, w] of entries) {
    x -= w;
    if (x < 0) return status;
  }
  return entries[entries.length - 1]?.[0] ?? 'active';
}

const pad = (n: number): string => String(n).padStart(7, '0');

export function seed(store: Store, opts: SeedOptions): SeedResult {
  const started = performance.now();
  ensureCatalog(store);
  const rng = mulberry32(opts.seed ?? 1);
  const prefix = opts.idPrefix ?? `${store.nextId('seed')}_`;
  const subsPer = opts.subscriptionsPerCustomer ?? 1;
  const txnsPer = opts.transactionsPerSubscription ?? 0;
  const weights = opts.statuses ?? DEFAULT_STATUSES;
  const now = store.clock.nowSeconds();
  const spread = Math.max(1, Math.floor((opts.spreadDays ?? 365) * 86_400));
  const customers: Customer[] = [];
  const subs: Subscription[] = [];
  const txns: Transaction[] = [];
  const stamp = (id: string, created: number): { id: string; now: number; resourceVersion: number } => {
    const updated = created + Math.floor(rng() * (now - created + 1));
    return { id, now: updated, resourceVersion: updated * 1000 + Math.floor(rng() * 1000) };
  };
  for (let c = 1; c <= opts.customers; c++) {
    const id = `${prefix}cus_${pad(c)}`;
    if (store.get('customer', id)) throw new Error(`seed: customer ${id} already exists; pass another idPrefix`);
    const created = now - Math.floor(rng() * spread);
    const deleted = rng() < (opts.deletedFraction ?? 0);
    const s = stamp(id, created);
    customers.push(
      Object.freeze(
        buildCustomer(
          { first_name: `First${c}`, last_name: `Last${c}`, email: `customer${c}@example.test`, company: `Company ${c}`, created_at: created, updated_at: s.now, deleted, cf_customer_id: `ext-${c}` },
          s,
        ),
      ),
    );
    for (let k = 1; k <= subsPer; k++) {
      const subId = `${prefix}sub_${pad(c)}_${k}`;
      const subCreated = created + Math.floor(rng() * (now - created + 1));
      const pc1 = opts.catalog === 'pc1' || (opts.catalog === 'mixed' && (c + k) % 2 === 0);
      const yearly = rng() < 0.2;
      const input: SubscriptionInput = {
        customer_id: id,
        status: pickStatus(rng, weights),
        created_at: subCreated,
        deleted,
        ...(pc1
          ? { plan_id: yearly ? 'pro-yearly' : 'basic', plan_quantity: 1 + Math.floor(rng() * 5) }
          : { subscription_items: [{ item_price_id: yearly ? 'pro-USD-yearly' : 'basic-USD', item_type: 'plan', quantity: 1 + Math.floor(rng() * 5) }] }),
      };
      const ss = stamp(subId, subCreated);
      input.updated_at = ss.now;
      const sub = Object.freeze(buildSubscription(input, ss, store.catalog));
      subs.push(sub);
      for (let t = 1; t <= txnsPer; t++) {
        const txnId = `${prefix}txn_${pad(c)}_${k}_${t}`;
        const amount = sub.plan_amount ?? sub.subscription_items?.[0]?.amount ?? 1000;
        const ts = stamp(txnId, subCreated);
        txns.push(Object.freeze(buildTransaction({ customer_id: id, subscription_id: subId, amount, date: subCreated, updated_at: ts.now }, ts, `${prefix}inv_${pad(c)}_${k}_${t}`)));
      }
    }
  }
  store.collection('customer').putMany(customers);
  store.collection('subscription').putMany(subs);
  store.collection('transaction').putMany(txns);
  let events = 0;
  if (opts.events) {
    for (const customer of customers) store.emit('customer_created', { customer });
    for (const subscription of subs) store.emit('subscription_created', { subscription, customer: store.get('customer', subscription.customer_id) });
    for (const transaction of txns) store.emit('payment_succeeded', { transaction, customer: store.get('customer', transaction.customer_id) });
    events = customers.length + subs.length + txns.length;
  }
  return {
    customers: customers.length,
    subscriptions: subs.length,
    transactions: txns.length,
    events,
    idPrefix: prefix,
    ms: Math.round(performance.now() - started),
  };
}
