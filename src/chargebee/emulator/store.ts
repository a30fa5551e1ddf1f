// Resource + event state. Every mutation bumps updated_at/resource_version and
// records the Chargebee event a real site would emit, with full current state.
import {
  buildCustomer,
  buildItemPrice,
  buildPlan,
  buildSubscription,
  buildTransaction,
  defined,
  deriveSubscription,
  invoiceFor,
  type CatalogLookup,
  type Stamp,
} from './builders.js';
import { Clock } from './clock.js';
import { Collection } from './collection.js';
import { ApiError, notFound } from './errors.js';
import type {
  ChargebeeEvent,
  CreateInput,
  EventContent,
  Kind,
  MutationOptions,
  ResourceByKind,
  Subscription,
  Transaction,
  UpdatePatch,
} from './types.js';

interface KindSpec<K extends Kind> {
  prefix: string;
  build(input: CreateInput<K>, s: Stamp): ResourceByKind[K];
  merge(prev: ResourceByKind[K], patch: UpdatePatch<K>, s: Stamp): ResourceByKind[K];
  markDeleted(prev: ResourceByKind[K], s: Stamp): ResourceByKind[K];
  eventType(op: 'created' | 'changed' | 'deleted', r: ResourceByKind[K]): string;
  content(r: ResourceByKind[K]): EventContent;
}
type Specs = { [K in Kind]: KindSpec<K> };
type Colls = { [K in Kind]: Collection<ResourceByKind[K]> };

/** Shallow merge that keeps identity/creation fields and bumps the version stamp. */
function bump<T extends { id: string }>(prev: T, patch: object, s: Stamp): T {
  return { ...prev, ...defined(patch), id: prev.id, updated_at: s.now, resource_version: s.resourceVersion };
}

/** Stored records are shared with event content, so they must never change in place. */
function freeze<T>(value: T): T {
  return Object.freeze(value) as T;
}

export class Store {
  readonly events = new Collection<ChargebeeEvent>();
  /** Event ids not yet handed to a webhook delivery (failed deliveries stay here, like Chargebee retries). */
  readonly undelivered = new Set<string>();
  private readonly colls: Colls = {
    customer: new Collection(),
    subscription: new Collection(),
    transaction: new Collection(),
    plan: new Collection(),
    item_price: new Collection(),
  };
  private seq = 0;

  constructor(readonly clock: Clock = new Clock()) {}

  readonly catalog: CatalogLookup = (kind, id) => {
    const r = kind === 'plan' ? this.colls.plan.get(id) : this.colls.item_price.get(id);
    return r && { price: r.price, period: r.period, period_unit: r.period_unit, currency_code: r.currency_code };
  };

  private readonly specs: Specs = {
    customer: {
      prefix: 'cus_',
      build: (input, s) => buildCustomer(input, s),
      merge: (prev, patch, s) => bump(prev, patch, s),
      markDeleted: (prev, s) => bump(prev, { deleted: true }, s),
      eventType: (op) => (op === 'changed' ? 'customer_changed' : `customer_${op}`),
      content: (customer) => ({ customer }),
    },
    subscription: {
      prefix: 'sub_',
      build: (input, s) => buildSubscription(input, s, this.catalog),
      merge: (prev, patch, s) => {
        const { subscription_items: items, ...rest } = patch;
        const merged: Subscription = bump(prev, rest, s);
        return deriveSubscription(merged, items, (k) => patch[k] !== undefined, this.catalog, s.now, false);
      },
      markDeleted: (prev, s) => bump(prev, { deleted: true }, s),
      eventType: (op) => (op === 'changed' ? 'subscription_changed' : `subscription_${op}`),
      content: (subscription) => this.withCustomer({ subscription }, subscription.customer_id),
    },
    transaction: {
      prefix: 'txn_',
      build: (input, s) => buildTransaction(input, s, this.nextId('inv_')),
      merge: (prev, patch, s) => bump(prev, patch, s),
      markDeleted: (prev, s) => bump(prev, { deleted: true }, s),
      eventType: (op, t) => (op === 'created' ? paymentEventType(t) : `transaction_${op === 'changed' ? 'updated' : op}`),
      content: (t) => this.transactionContent(t),
    },
    plan: {
      prefix: 'plan_',
      build: (input, s) => buildPlan(input, s),
      merge: (prev, patch, s) => bump(prev, patch, s),
      markDeleted: (prev, s) => bump(prev, { status: 'deleted' }, s),
      eventType: (op) => `plan_${op === 'changed' ? 'updated' : op}`,
      content: (plan) => ({ plan }),
    },
    item_price: {
      prefix: 'ip_',
      build: (input, s) => buildItemPrice(input, s),
      merge: (prev, patch, s) => bump(prev, patch, s),
      markDeleted: (prev, s) => bump(prev, { status: 'deleted' }, s),
      eventType: (op) => `item_price_${op === 'changed' ? 'updated' : op}`,
      content: (item_price) => ({ item_price }),
    },
  };

  collection<K extends Kind>(kind: K): Collection<ResourceByKind[K]> {
    return this.colls[kind];
  }

  get<K extends Kind>(kind: K, id: string): ResourceByKind[K] | undefined {
    return this.colls[kind].get(id);
  }

  /** Ids sort in creation order within a kind, which keeps event tie-breaks intuitive. */
  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${this.seq.toString(36).padStart(8, '0')}`;
  }

  /** resource_version is a ms timestamp, forced strictly increasing per record even with a frozen clock. */
  stamp(id: string, prevVersion?: number): Stamp {
    const nowMs = this.clock.nowMs();
    return { id, now: Math.floor(nowMs / 1000), resourceVersion: Math.max(nowMs, (prevVersion ?? 0) + 1) };
  }

  create<K extends Kind>(kind: K, input: CreateInput<K>, opts: MutationOptions = {}): ResourceByKind[K] {
    const spec: KindSpec<K> = this.specs[kind];
    const coll = this.colls[kind];
    const id = typeof input.id === 'string' && input.id !== '' ? input.id : this.nextId(spec.prefix);
    if (coll.has(id)) throw new ApiError(400, 'duplicate_entry', `${kind} with id ${id} already exists`, 'invalid_request', 'id');
    const customerId = input.customer_id;
    if ((kind === 'subscription' || kind === 'transaction') && (typeof customerId !== 'string' || !this.colls.customer.has(customerId))) {
      throw new ApiError(400, 'param_wrong_value', `customer_id : customer ${String(customerId)} not found`, 'invalid_request', 'customer_id');
    }
    const record = freeze(spec.build(structuredClone(input), this.stamp(id)));
    coll.put(record);
    this.emitFor(spec, 'created', record, opts);
    return record;
  }

  update<K extends Kind>(kind: K, id: string, patch: UpdatePatch<K>, opts: MutationOptions = {}): ResourceByKind[K] {
    const spec: KindSpec<K> = this.specs[kind];
    const prev = this.require(kind, id);
    const record = freeze(spec.merge(prev, structuredClone(patch), this.stamp(id, prev.resource_version as number)));
    this.colls[kind].put(record);
    this.emitFor(spec, 'changed', record, opts);
    return record;
  }

  /** Soft delete (deleted: true, or status 'deleted' for catalog kinds), recorded as a *_deleted event. */
  delete<K extends Kind>(kind: K, id: string, opts: MutationOptions = {}): ResourceByKind[K] {
    const spec: KindSpec<K> = this.specs[kind];
    const prev = this.require(kind, id);
    const record = freeze(spec.markDeleted(prev, this.stamp(id, prev.resource_version as number)));
    this.colls[kind].put(record);
    if (kind === 'customer') {
      // Chargebee deletes the customer's subscriptions with it and lists them in customer_deleted.
      const subs = this.subscriptionsOf(id).map((sub) => {
        const gone = freeze(this.specs.subscription.markDeleted(sub, this.stamp(sub.id, sub.resource_version)));
        this.colls.subscription.put(gone);
        return gone;
      });
      if (!opts.silent) this.emit(opts.eventType ?? 'customer_deleted', { customer: record, subscriptions: subs }, opts);
      return record;
    }
    this.emitFor(spec, 'deleted', record, opts);
    return record;
  }

  /** Hard delete without any event: simulates data Chargebee no longer has. */
  purge(kind: Kind, id: string): boolean {
    return this.colls[kind].remove(id);
  }

  cancelSubscription(id: string, patch: UpdatePatch<'subscription'> = {}, opts: MutationOptions = {}): Subscription {
    const now = this.clock.nowSeconds();
    const base = { cancelled_at: now, cancel_reason: 'not_paid', ...patch, status: 'cancelled' as const };
    return this.update('subscription', id, base, { ...opts, eventType: opts.eventType ?? 'subscription_cancelled' });
  }

  /** Records a refund transaction for a payment (payment_refunded) and links it on the original. */
  refund(txnId: string, opts: MutationOptions & { amount?: number } = {}): Transaction {
    const orig = this.require('transaction', txnId);
    if (orig.type !== 'payment') throw new ApiError(400, 'invalid_request', `${txnId} is not a payment`, 'invalid_request');
    const amount = opts.amount ?? orig.amount;
    const refund = this.create(
      'transaction',
      {
        customer_id: orig.customer_id,
        subscription_id: orig.subscription_id,
        type: 'refund',
        status: 'success',
        amount,
        currency_code: orig.currency_code,
        base_currency_code: orig.base_currency_code,
        exchange_rate: orig.exchange_rate,
        payment_method: orig.payment_method,
        refunded_txn_id: orig.id,
        linked_invoices: [],
      },
      { ...opts, silent: true },
    );
    const refunds = Array.isArray(orig.linked_refunds) ? orig.linked_refunds : [];
    const linked = [...refunds, { txn_id: refund.id, txn_status: 'success', txn_date: refund.date, txn_amount: amount }];
    this.update('transaction', orig.id, { linked_refunds: linked, amount_unused: 0 }, { silent: true });
    if (!opts.silent) this.emit(opts.eventType ?? 'payment_refunded', this.transactionContent(refund), opts);
    return refund;
  }

  /** Records an arbitrary event (e.g. a type the emulator does not model). */
  emit(eventType: string, content: EventContent, opts: MutationOptions = {}): ChargebeeEvent {
    const ev: ChargebeeEvent = {
      id: this.nextId('ev_'),
      occurred_at: this.clock.nowSeconds(),
      source: opts.source ?? 'api',
      ...(opts.user !== undefined ? { user: opts.user } : {}),
      object: 'event',
      api_version: 'v2',
      event_type: eventType,
      webhook_status: 'not_configured',
      content,
    };
    this.events.put(freeze(ev));
    this.undelivered.add(ev.id);
    return ev;
  }

  setWebhookStatus(eventId: string, status: string): void {
    const ev = this.events.get(eventId);
    if (ev && ev.webhook_status !== status) this.events.put(freeze({ ...ev, webhook_status: status }));
  }

  subscriptionsOf(customerId: string): Subscription[] {
    const out: Subscription[] = [];
    for (const s of this.colls.subscription.values()) if (s.customer_id === customerId && !s.deleted) out.push(s);
    return out;
  }

  /** Drops all resources and events (ids keep counting up so a restarted demo never reuses one). */
  reset(): void {
    for (const c of Object.values(this.colls)) c.clear();
    this.events.clear();
    this.undelivered.clear();
  }

  private require<K extends Kind>(kind: K, id: string): ResourceByKind[K] {
    const r = this.colls[kind].get(id);
    if (!r) throw notFound(kind, id);
    return r;
  }

  private emitFor<K extends Kind>(spec: KindSpec<K>, op: 'created' | 'changed' | 'deleted', r: ResourceByKind[K], opts: MutationOptions): void {
    if (!opts.silent) this.emit(opts.eventType ?? spec.eventType(op, r), spec.content(r), opts);
  }

  private withCustomer(content: EventContent, customerId: string): EventContent {
    const customer = this.colls.customer.get(customerId);
    return customer ? { ...content, customer } : content;
  }

  private transactionContent(t: Transaction): EventContent {
    const content = this.withCustomer({ transaction: t }, t.customer_id);
    const sub = t.subscription_id !== undefined ? this.colls.subscription.get(t.subscription_id) : undefined;
    if (sub) content.subscription = sub;
    const invoice = invoiceFor(t);
    if (invoice) content.invoice = invoice;
    return content;
  }
}

function paymentEventType(t: Transaction): string {
  if (t.type === 'refund') return 'payment_refunded';
  if (t.type === 'payment' && t.status === 'success') return 'payment_succeeded';
  if (t.type === 'payment' && t.status === 'failure') return 'payment_failed';
  return 'transaction_created';
}
