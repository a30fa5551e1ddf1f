// API v2 behaviour of the emulator, exercised through the real chargebee SDK.
import type Chargebee from 'chargebee';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/chargebee/emulator/index.js';
import { allPages, API_KEY, sdkError, sdkFor } from './emulator-helpers.js';

const T0 = 1_700_000_000; // unix seconds
let emu: Emulator;
let cb: Chargebee;

beforeAll(async () => {
  emu = await startEmulator({ apiKey: API_KEY, clock: { nowMs: T0 * 1000 } });
  cb = sdkFor(emu);
});
afterAll(async () => emu.close());
beforeEach(() => {
  emu.reset();
  emu.clock.set(T0 * 1000);
});

describe('auth', () => {
  it('rejects a wrong key with a Chargebee-shaped 401', async () => {
    const err = await sdkError(sdkFor(emu, { apiKey: 'wrong' }).customer.list({ limit: 1 }));
    expect(err.http_status_code).toBe(401);
    expect(err.api_error_code).toBe('api_authentication_failed');
    const raw = await fetch(`${emu.url}/api/v2/customers`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ api_error_code: 'api_authentication_failed', http_status_code: 401 });
    // Key with a non-empty password is not the Chargebee scheme either.
    const withPw = await fetch(`${emu.url}/api/v2/customers`, { headers: { authorization: `Basic ${Buffer.from(`${API_KEY}:x`).toString('base64')}` } });
    expect(withPw.status).toBe(401);
  });
});

describe('list paging', () => {
  it('returns every record exactly once across pages, even when all sort keys tie', async () => {
    // Frozen clock: every customer has the same created_at/updated_at, so only the id tie-break orders them.
    const ids = Array.from({ length: 57 }, () => emu.customers.create({ first_name: 'x' }).id);
    const pages = await allPages((offset) => cb.customer.list({ limit: 10, offset, 'sort_by[asc]': 'updated_at' }));
    expect(pages.map((p) => p.length)).toEqual([10, 10, 10, 10, 10, 7]);
    const seen = pages.flat().map((e) => e.customer.id);
    expect(seen).toEqual([...ids].sort());
  });

  it('has no next_offset when the last page is exactly full', async () => {
    for (let i = 0; i < 20; i++) emu.customers.create({});
    const pages = await allPages((offset) => cb.customer.list({ limit: 10, offset }));
    expect(pages.map((p) => p.length)).toEqual([10, 10]);
  });

  it('does not skip or repeat untouched records when data changes between pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      emu.clock.advance(1000);
      ids.push(emu.customers.create({ first_name: `c${i}` }).id);
    }
    const page1 = await cb.customer.list({ limit: 10, 'sort_by[asc]': 'updated_at' });
    expect(page1.list.map((e) => e.customer.id)).toEqual(ids.slice(0, 10));
    emu.clock.advance(1000);
    emu.customers.update(ids[2], { first_name: 'seen-then-changed' }); // moves behind the cursor's end
    emu.customers.update(ids[25], { first_name: 'unseen-changed' }); // moves later, must appear once
    emu.customers.purge(ids[5]); // already seen; must not shift later pages
    const added = emu.customers.create({ first_name: 'new' }).id;
    const rest = await allPages((offset) => cb.customer.list({ limit: 10, offset: offset ?? page1.next_offset, 'sort_by[asc]': 'updated_at' }));
    const later = rest.flat().map((e) => e.customer.id);
    const expected = [...ids.slice(10).filter((id) => id !== ids[25]), ids[2], ids[25], added];
    expect(later).toEqual(expected);
  });

  it('validates limit and offset like Chargebee', async () => {
    for (const limit of [0, 101]) {
      const err = await sdkError(cb.customer.list({ limit }));
      expect(err.http_status_code).toBe(400);
      expect(err.api_error_code).toBe('param_wrong_value');
    }
    const bad = await sdkError(cb.customer.list({ offset: 'not-an-offset' }));
    expect(bad.http_status_code).toBe(400);
    // Default limit is 10.
    for (let i = 0; i < 12; i++) emu.customers.create({});
    const res = await cb.customer.list();
    expect(res.list).toHaveLength(10);
    expect(res.next_offset).toBeTypeOf('string');
  });
});

describe('filters and sort', () => {
  it('filters updated_at[after]/[before] and sorts asc/desc', async () => {
    const a = emu.customers.create({ first_name: 'a' }).id;
    emu.clock.advance(10_000);
    const b = emu.customers.create({ first_name: 'b' }).id;
    emu.clock.advance(10_000);
    const c = emu.customers.create({ first_name: 'c' }).id;
    const after = await cb.customer.list({ updated_at: { after: T0 }, 'sort_by[desc]': 'updated_at' });
    expect(after.list.map((e) => e.customer.id)).toEqual([c, b]);
    const asc = await cb.customer.list({ 'sort_by[asc]': 'created_at' });
    expect(asc.list.map((e) => e.customer.id)).toEqual([a, b, c]);
    const before = await cb.customer.list({ updated_at: { before: T0 + 20 } });
    expect(before.list.map((e) => e.customer.id).sort()).toEqual([a, b]);
    // Both bounds at once: the SDK serializes { after, before } as updated_at[after][before] (a bug in
    // chargebee-node 3.33), which the emulator rejects loudly; `between` or flat keys work.
    const nested = await sdkError(cb.customer.list({ updated_at: { after: T0, before: T0 + 20 } }));
    expect(nested.http_status_code).toBe(400);
    const between = await cb.customer.list({ updated_at: { between: [T0 + 1, T0 + 15] } });
    expect(between.list.map((e) => e.customer.id)).toEqual([b]);
  });

  it('excludes deleted records unless include_deleted=true; purge removes them for good', async () => {
    const keep = emu.customers.create({}).id;
    const gone = emu.customers.create({}).id;
    const sub = emu.subscriptions.create({ customer_id: gone }).id;
    emu.customers.delete(gone);
    const visible = await cb.customer.list();
    expect(visible.list.map((e) => e.customer.id)).toEqual([keep]);
    const all = await cb.customer.list({ include_deleted: true });
    expect(all.list.map((e) => [e.customer.id, e.customer.deleted]).sort()).toEqual([[gone, true], [keep, false]].sort());
    expect((await cb.subscription.list()).list).toHaveLength(0);
    expect((await cb.subscription.list({ include_deleted: true })).list[0].subscription).toMatchObject({ id: sub, deleted: true });
    expect((await cb.customer.retrieve(gone)).customer.deleted).toBe(true);
    emu.customers.purge(gone);
    const err = await sdkError(cb.customer.retrieve(gone));
    expect([err.http_status_code, err.api_error_code]).toEqual([404, 'resource_not_found']);
  });

  it('supports status[is], status[in], id[is] and customer_id filters on subscriptions', async () => {
    const cus = emu.customers.create({}).id;
    const active = emu.subscriptions.create({ customer_id: cus, status: 'active' }).id;
    const trial = emu.subscriptions.create({ customer_id: cus, status: 'in_trial' }).id;
    const cancelled = emu.subscriptions.create({ customer_id: cus, status: 'cancelled' }).id;
    const ids = async (p: Promise<{ list: { subscription: { id: string } }[] }>): Promise<string[]> => (await p).list.map((e) => e.subscription.id).sort();
    expect(await ids(cb.subscription.list({ status: { is: 'active' } }))).toEqual([active]);
    expect(await ids(cb.subscription.list({ status: { in: ['active', 'cancelled'] } }))).toEqual([active, cancelled].sort());
    expect(await ids(cb.subscription.list({ status: { not_in: ['active', 'cancelled'] } }))).toEqual([trial]);
    expect(await ids(cb.subscription.list({ id: { is: trial } }))).toEqual([trial]);
    expect(await ids(cb.subscription.list({ customer_id: { is: 'nobody' } }))).toEqual([]);
    const err = await sdkError(cb.subscription.list({ 'sort_by[asc]': 'mrr' }));
    expect(err.http_status_code).toBe(400);
  });
});

describe('resource shapes', () => {
  it('serves PC 1.0 plans/subscriptions and PC 2.0 item prices/subscription items', async () => {
    emu.plans.create({ id: 'gold', name: 'Gold', price: 2500, period: 1, period_unit: 'month' });
    emu.itemPrices.create({ id: 'gold-USD-Monthly', item_id: 'gold', price: 2500, period_unit: 'month' });
    emu.itemPrices.create({ id: 'seat-USD', item_id: 'seat', item_type: 'addon', price: 300 });
    const cus = emu.customers.create({ email: 'a@b.c', cf_partner_key: 'pk_1', meta_data: { src: 'x' } }).id;
    const pc1 = emu.subscriptions.create({ customer_id: cus, plan_id: 'gold', plan_quantity: 3 }).id;
    const pc2 = emu.subscriptions.create({
      customer_id: cus,
      subscription_items: [{ item_price_id: 'gold-USD-Monthly', item_type: 'plan', quantity: 2 }, { item_price_id: 'seat-USD', item_type: 'addon', quantity: 4 }],
    }).id;
    const s1 = (await cb.subscription.retrieve(pc1)).subscription;
    expect(s1).toMatchObject({ plan_id: 'gold', plan_quantity: 3, plan_unit_price: 2500, plan_amount: 7500, billing_period: 1, billing_period_unit: 'month', mrr: 7500, status: 'active', object: 'subscription' });
    const r2 = await cb.subscription.retrieve(pc2);
    expect(r2.customer.id).toBe(cus);
    expect(r2.subscription.subscription_items).toEqual([
      expect.objectContaining({ item_price_id: 'gold-USD-Monthly', item_type: 'plan', quantity: 2, unit_price: 2500, amount: 5000 }),
      expect.objectContaining({ item_price_id: 'seat-USD', item_type: 'addon', quantity: 4, unit_price: 300, amount: 1200 }),
    ]);
    expect(r2.subscription.mrr).toBe(6200);
    expect(r2.subscription.plan_id).toBeUndefined();
    const cust = (await cb.customer.retrieve(cus)).customer;
    expect(cust).toMatchObject({ email: 'a@b.c', cf_partner_key: 'pk_1', meta_data: { src: 'x' }, object: 'customer', deleted: false });
    expect(cust.resource_version).toBe(T0 * 1000);
    const plans = await cb.plan.list();
    expect(plans.list.map((e) => e.plan.id)).toEqual(['gold']);
    const planPrices = await cb.itemPrice.list({ item_type: { is: 'plan' } });
    expect(planPrices.list.map((e) => e.item_price.id)).toEqual(['gold-USD-Monthly']);
    const bySubItem = await cb.subscription.list({ item_price_id: { is: 'seat-USD' } });
    expect(bySubItem.list.map((e) => e.subscription.id)).toEqual([pc2]);
  });

  it('keeps resource_version strictly increasing per change even with a frozen clock', () => {
    const c = emu.customers.create({});
    const u1 = emu.customers.update(c.id, { first_name: 'a' });
    const u2 = emu.customers.update(c.id, { first_name: 'b' });
    expect(u1.resource_version).toBeGreaterThan(c.resource_version);
    expect(u2.resource_version).toBeGreaterThan(u1.resource_version);
    expect(() => (u2 as { first_name?: string }).first_name = 'mutated').toThrow();
  });

  it('retrieves and lists transactions; 404 for a missing one', async () => {
    const cus = emu.customers.create({}).id;
    const sub = emu.subscriptions.create({ customer_id: cus, plan_id: 'basic' }).id;
    const txn = emu.transactions.create({ customer_id: cus, subscription_id: sub, amount: 4200, currency_code: 'EUR', base_currency_code: 'USD', exchange_rate: 1.08 });
    const got = (await cb.transaction.retrieve(txn.id)).transaction;
    expect(got).toMatchObject({ type: 'payment', status: 'success', amount: 4200, currency_code: 'EUR', base_currency_code: 'USD', exchange_rate: 1.08, subscription_id: sub });
    expect(got.linked_invoices?.[0]).toMatchObject({ invoice_total: 4200, invoice_status: 'paid' });
    const refund = emu.transactions.refund(txn.id, { amount: 1000 });
    const list = await cb.transaction.list({ type: { is: 'refund' } });
    expect(list.list.map((e) => [e.transaction.id, e.transaction.refunded_txn_id, e.transaction.amount])).toEqual([[refund.id, txn.id, 1000]]);
    const err = await sdkError(cb.transaction.retrieve('txn_missing'));
    expect(err.http_status_code).toBe(404);
  });
});

describe('events', () => {
  it('records the matching event with full current state for every mutation', async () => {
    const cus = emu.customers.create({ first_name: 'Ada' }).id;
    emu.clock.advance(5000);
    emu.customers.update(cus, { first_name: 'Ada L.' });
    const sub = emu.subscriptions.create({ customer_id: cus, plan_id: 'basic' }).id;
    emu.clock.advance(5000);
    emu.subscriptions.cancel(sub);
    emu.subscriptions.update(sub, { plan_quantity: 2 }, { eventType: 'subscription_reactivated' });
    const pay = emu.transactions.create({ customer_id: cus, subscription_id: sub, amount: 999 });
    emu.transactions.create({ customer_id: cus, amount: 5, status: 'failure' });
    emu.transactions.refund(pay.id);
    emu.customers.delete(cus);

    const events = (await cb.event.list({ limit: 100, 'sort_by[asc]': 'occurred_at' })).list.map((e) => e.event);
    expect(events.map((e) => e.event_type)).toEqual([
      'customer_created', 'customer_changed', 'subscription_created', 'subscription_cancelled', 'subscription_reactivated',
      'payment_succeeded', 'payment_failed', 'payment_refunded', 'customer_deleted',
    ]);
    for (const e of events) expect(e).toMatchObject({ object: 'event', api_version: 'v2', webhook_status: 'not_configured' });
    expect(events[0].id).toMatch(/^ev_/);
    const content = (i: number): Record<string, { [k: string]: unknown }> => events[i].content as unknown as Record<string, { [k: string]: unknown }>;
    expect(content(0).customer.first_name).toBe('Ada'); // snapshot at the time, not current state
    expect(content(1).customer.first_name).toBe('Ada L.');
    expect(content(3).subscription).toMatchObject({ id: sub, status: 'cancelled', cancelled_at: T0 + 10 });
    expect(content(3).customer.id).toBe(cus);
    expect(content(5).transaction).toMatchObject({ id: pay.id, amount: 999, type: 'payment' });
    expect(content(5).subscription.id).toBe(sub);
    expect(content(5).invoice).toMatchObject({ status: 'paid', total: 999 });
    expect(content(7).transaction).toMatchObject({ type: 'refund', refunded_txn_id: pay.id });
    expect(content(8).customer.deleted).toBe(true);
    const subsOfDeleted = (events[8].content as unknown as { subscriptions: { id: string; deleted: boolean }[] }).subscriptions;
    expect(subsOfDeleted.map((s) => [s.id, s.deleted])).toEqual([[sub, true]]);
    expect(emu.subscriptions.get(sub)?.deleted).toBe(true);

    const late = await cb.event.list({ occurred_at: { after: T0 + 5 }, 'sort_by[asc]': 'occurred_at', event_type: { in: ['subscription_cancelled', 'payment_succeeded'] } });
    expect(late.list.map((e) => e.event.event_type)).toEqual(['subscription_cancelled', 'payment_succeeded']);
    const one = await cb.event.retrieve(events[2].id);
    expect(one.event.event_type).toBe('subscription_created');
  });

  it('records nothing for silent changes and purges', async () => {
    const c = emu.customers.create({}, { silent: true });
    emu.customers.update(c.id, { email: 'x@y.z' }, { silent: true });
    emu.customers.purge(c.id);
    expect((await cb.event.list()).list).toHaveLength(0);
  });
});
