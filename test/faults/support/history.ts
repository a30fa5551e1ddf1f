import { customer, envelope, pc1Subscription, pc2Subscription, sample, transaction } from '../../support/events.js';
import type { Delivery } from './sender.js';

type Json = Record<string, unknown>;

/** A small seeded PRNG (mulberry32): the same seed gives the same history. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ExpectedCustomer { resource_version: number; email: string; deleted: boolean }
export interface ExpectedSubscription { resource_version: number; customer_id: string; status: string; mrr: number; chargebee_plan_id: string; deleted: boolean }
export interface ExpectedTransaction { resource_version: number; customer_id: string; status: string; amount: number; deleted: boolean }

export interface ExpectedState {
  customers: Map<string, ExpectedCustomer>;
  subscriptions: Map<string, ExpectedSubscription>;
  transactions: Map<string, ExpectedTransaction>;
}

export interface History {
  /** Unique events in the order they happened. */
  eventIds: string[];
  /** What the sender sends: every event once, 10% of them twice, locally reordered. */
  deliveries: Delivery[];
  /** Newest resource_version of every resource the history touched, as the rows must end up. */
  expected: ExpectedState;
}

export interface HistoryOptions {
  events: number;
  customers?: number;
  seed?: number;
  duplicateRate?: number;
  /** Deliveries are shuffled within windows of this size (out-of-order delivery). */
  reorderWindow?: number;
  /** Prefix of every id, so histories of different tests never collide. */
  prefix?: string;
}

const invoiceTemplate = (sample('payment_succeeded').content as Json).invoice as Json;

/**
 * A Chargebee-like event history: customers change, subscriptions (PC 1.0 and 2.0) change and get
 * cancelled, payments succeed and get updated. Each event carries the full current state of what it
 * touches, with a strictly increasing resource_version, exactly as Chargebee sends them.
 */
export function buildHistory(options: HistoryOptions): History {
  const random = randomSource(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const prefix = options.prefix ?? 'f';
  const customerCount = options.customers ?? Math.max(10, Math.floor(options.events / 20));
  let clock = 1_700_000_000_000;
  const tick = () => (clock += 1 + Math.floor(random() * 5));

  const customers = new Map<string, Json>();
  const subscriptions = new Map<string, Json>();
  const transactions = new Map<string, Json>();
  const events: Json[] = [];

  const customerIds = Array.from({ length: customerCount }, (_, i) => `${prefix}_cus_${i}`);
  const customerState = (id: string): Json => {
    let state = customers.get(id);
    if (!state) {
      state = customer(id, tick(), { cf_customer_id: `key_${id}` });
      customers.set(id, state);
    }
    return state;
  };
  const subscriptionIdOf = (customerId: string) => `${customerId}_sub`;

  for (let n = 0; n < options.events; n++) {
    const customerId = pick(customerIds);
    const roll = random();
    if (roll < 0.3 || !subscriptions.has(subscriptionIdOf(customerId))) {
      const existed = customers.has(customerId);
      const version = tick();
      const state = customer(customerId, version, { email: `${customerId}.${version}@example.com`, cf_customer_id: `key_${customerId}` });
      customers.set(customerId, state);
      events.push(envelope(existed ? 'customer_changed' : 'customer_created', { customer: state }));
      if (roll >= 0.3) {
        const id = subscriptionIdOf(customerId);
        const sub = n % 2 === 0 ? pc1Subscription(id, customerId, tick()) : pc2Subscription(id, customerId, tick());
        subscriptions.set(id, sub);
        events.push(envelope('subscription_created', { subscription: sub, customer: state }));
        n++;
      }
    } else if (roll < 0.65) {
      const id = subscriptionIdOf(customerId);
      const previous = subscriptions.get(id) as Json;
      const cancelled = random() < 0.15;
      const version = tick();
      const sub = {
        ...previous, resource_version: version, updated_at: Math.floor(version / 1000), mrr: Math.floor(random() * 50_000), status: cancelled ? 'cancelled' : 'active',
      };
      subscriptions.set(id, sub);
      events.push(envelope(cancelled ? 'subscription_cancelled' : 'subscription_changed', { subscription: sub, customer: customerState(customerId) }));
    } else if (roll < 0.92 || transactions.size === 0) {
      const id = `${prefix}_txn_${transactions.size}`;
      const txn = transaction(id, customerId, tick(), { subscription_id: subscriptionIdOf(customerId), amount: 1000 + Math.floor(random() * 100_000) });
      transactions.set(id, txn);
      const invoice = { ...invoiceTemplate, id: `inv_${id}`, customer_id: customerId, subscription_id: subscriptionIdOf(customerId) };
      events.push(envelope('payment_succeeded', {
        transaction: txn, invoice, customer: customerState(customerId), subscription: subscriptions.get(subscriptionIdOf(customerId)),
      }));
    } else {
      const id = pick([...transactions.keys()]);
      const txn = { ...(transactions.get(id) as Json), resource_version: tick(), status: pick(['success', 'voided', 'failure']) };
      transactions.set(id, txn);
      events.push(envelope('transaction_updated', { transaction: txn }));
    }
  }

  return {
    eventIds: events.map((e) => e.id as string),
    deliveries: deliveriesOf(events, random, options.duplicateRate ?? 0.1, options.reorderWindow ?? 16),
    expected: expectedOf(customers, subscriptions, transactions),
  };
}

function deliveriesOf(events: Json[], random: () => number, duplicateRate: number, window: number): Delivery[] {
  const out: Delivery[] = [];
  for (const event of events) {
    const delivery = { eventId: event.id as string, body: JSON.stringify(event) };
    out.push(delivery);
    if (random() < duplicateRate) out.push(delivery);
  }
  for (let start = 0; start < out.length; start += window) {
    for (let i = Math.min(out.length, start + window) - 1; i > start; i--) {
      const j = start + Math.floor(random() * (i - start + 1));
      [out[i], out[j]] = [out[j] as Delivery, out[i] as Delivery];
    }
  }
  return out;
}

function planIdOf(sub: Json): string {
  if (typeof sub.plan_id === 'string') return sub.plan_id;
  const items = sub.subscription_items as { item_type: string; item_price_id: string }[];
  return items.find((i) => i.item_type === 'plan')?.item_price_id ?? '';
}

function expectedOf(customers: Map<string, Json>, subscriptions: Map<string, Json>, transactions: Map<string, Json>): ExpectedState {
  return {
    customers: new Map([...customers].map(([id, c]) => [id, { resource_version: c.resource_version as number, email: c.email as string, deleted: false }])),
    subscriptions: new Map([...subscriptions].map(([id, s]) => [id, {
      resource_version: s.resource_version as number, customer_id: s.customer_id as string, status: s.status as string,
      mrr: s.mrr as number, chargebee_plan_id: planIdOf(s), deleted: false,
    }])),
    transactions: new Map([...transactions].map(([id, t]) => [id, {
      resource_version: t.resource_version as number, customer_id: t.customer_id as string, status: t.status as string,
      amount: t.amount as number, deleted: false,
    }])),
  };
}
