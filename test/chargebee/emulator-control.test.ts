// HTTP control interface (/__emulator) and bulk seeding, checked against what
// the real SDK then reads from /api/v2.
import type Chargebee from 'chargebee';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/chargebee/emulator/index.js';
import { allPages, API_KEY, sdkError, sdkFor } from './emulator-helpers.js';

let emu: Emulator;
let cb: Chargebee;

beforeAll(async () => {
  emu = await startEmulator({ apiKey: API_KEY });
  cb = sdkFor(emu);
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/__emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('HTTP control interface', () => {
  it('drives data, clock and events from another process', async () => {
    const T = 1_710_000_000;
    expect((await control('POST', '/clock', { nowSeconds: T })).json).toMatchObject({ nowSeconds: T, frozen: true });
    const cus = (await control('POST', '/customers', { first_name: 'Grace', cf_customer_id: 'ext-1' })).json.customer as { id: string };
    await control('POST', '/clock', { advanceSeconds: 60 });
    const patched = await control('PATCH', `/customers/${cus.id}`, { email: 'g@h.io' });
    expect(patched.json.customer).toMatchObject({ email: 'g@h.io', updated_at: T + 60 });
    await control('POST', '/plans', { id: 'p1', price: 500 });
    const sub = (await control('POST', '/subscriptions', { customer_id: cus.id, plan_id: 'p1' })).json.subscription as { id: string };
    await control('POST', `/subscriptions/${sub.id}?event_type=subscription_paused`, { status: 'paused' });
    await control('POST', `/subscriptions/${sub.id}/cancel`, {});
    const txn = (await control('POST', '/transactions', { customer_id: cus.id, subscription_id: sub.id, amount: 500 })).json.transaction as { id: string };
    const refund = (await control('POST', `/transactions/${txn.id}/refund`, { amount: 200 })).json.transaction;
    expect(refund).toMatchObject({ type: 'refund', refunded_txn_id: txn.id, amount: 200 });

    const fromSdk = (await cb.subscription.retrieve(sub.id)).subscription;
    expect(fromSdk).toMatchObject({ status: 'cancelled', plan_id: 'p1', plan_amount: 500 });
    const events = (await control('GET', '/events')).json.events as { event_type: string }[];
    expect(events.map((e) => e.event_type)).toEqual([
      'customer_created', 'customer_changed', 'plan_created', 'subscription_created', 'subscription_paused',
      'subscription_cancelled', 'payment_succeeded', 'payment_refunded',
    ]);

    await control('DELETE', `/customers/${cus.id}`);
    expect((await cb.customer.retrieve(cus.id)).customer.deleted).toBe(true);
    expect((await control('DELETE', `/customers/${cus.id}?purge=true`)).json).toEqual({ purged: true });
    expect((await sdkError(cb.customer.retrieve(cus.id))).http_status_code).toBe(404);
    const after = (await control('GET', '/events')).json.events as { event_type: string }[];
    expect(after.map((e) => e.event_type).slice(-1)).toEqual(['customer_deleted']); // purge adds none
  });

  it('sets faults and reports stats over HTTP', async () => {
    await control('POST', '/customers', {});
    expect((await control('POST', '/faults', { failNext: 1, failStatus: 503 })).json).toMatchObject({ failNext: 1, failStatus: 503 });
    expect((await sdkError(cb.customer.list())).http_status_code).toBe(503);
    await cb.customer.list();
    await control('POST', '/faults', { rateLimit: { limit: 1, windowMs: 60_000 } });
    await cb.customer.list();
    expect((await sdkError(cb.customer.list())).http_status_code).toBe(429);
    const stats = (await control('GET', '/stats?windowMs=60000')).json;
    expect(stats).toMatchObject({ totalRequests: 4, rateLimited: 1, injectedFailures: 1, maxRequestsInWindow: 4 });
    expect((await control('DELETE', '/faults')).json).toMatchObject({ rateLimit: null, failNext: 0 });
    await expect(cb.customer.list()).resolves.toBeDefined();
    // Control traffic is not API traffic.
    expect(emu.stats.snapshot().byPath['/__emulator/stats']).toBeUndefined();
  });

  it('reports bad requests with useful errors', async () => {
    expect((await control('POST', '/subscriptions', { customer_id: 'nope' })).status).toBe(400);
    expect((await control('GET', '/customers/nope')).status).toBe(404);
    expect((await control('PATCH', '/customers/nope', {})).json).toMatchObject({ api_error_code: 'resource_not_found' });
    expect((await control('POST', '/nothing-here', {})).status).toBe(404);
    const badJson = await fetch(`${emu.url}/__emulator/customers`, { method: 'POST', body: '{oops' });
    expect(badJson.status).toBe(400);
    await control('POST', '/customers', { id: 'dup' });
    expect((await control('POST', '/customers', { id: 'dup' })).json).toMatchObject({ api_error_code: 'duplicate_entry' });
    expect((await control('POST', '/faults', { latencyMs: -5 })).status).toBe(400);
  });

  it('bulk-inserts arrays and seeds generated data', async () => {
    const bulk = await control('POST', '/bulk?silent=true', {
      customers: [{ id: 'b1' }, { id: 'b2' }],
      subscriptions: [{ id: 'bs1', customer_id: 'b1', status: 'in_trial' }],
    });
    expect(bulk.json).toMatchObject({ customers: 2, subscriptions: 1 });
    expect((await cb.event.list()).list).toHaveLength(0);
    expect((await cb.subscription.retrieve('bs1')).subscription).toMatchObject({ status: 'in_trial', trial_end: expect.any(Number) });
    const seeded = (await control('POST', '/seed', { customers: 50, subscriptionsPerCustomer: 2, transactionsPerSubscription: 1, catalog: 'mixed', events: true })).json;
    expect(seeded).toMatchObject({ customers: 50, subscriptions: 100, transactions: 100, events: 250 });
    const subs = (await allPages((offset) => cb.subscription.list({ limit: 100, offset, include_deleted: true }))).flat();
    expect(subs).toHaveLength(101);
    const shapes = new Set(subs.map((e) => (e.subscription.plan_id !== undefined ? 'pc1' : 'pc2')));
    expect(shapes).toEqual(new Set(['pc1', 'pc2']));
  });
});

describe('seed at scale', () => {
  it('creates 100k customers + 100k subscriptions in a few seconds and pages them efficiently', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const res = emu.seed({ customers: 100_000, subscriptionsPerCustomer: 1, deletedFraction: 0.01, seed: 7 });
    const seedMs = performance.now() - t0;
    expect(res).toMatchObject({ customers: 100_000, subscriptions: 100_000 });
    expect(seedMs).toBeLessThan(5000);
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
    expect(heapMb).toBeLessThan(600);

    // Full incremental-sync style pass through the SDK: every live customer exactly once.
    const t1 = performance.now();
    const ids = new Set<string>();
    let pages = 0;
    let offset: string | undefined;
    do {
      const page = await cb.customer.list({ limit: 100, offset, 'sort_by[asc]': 'updated_at', include_deleted: true });
      for (const e of page.list) ids.add(e.customer.id);
      offset = page.next_offset;
      pages++;
    } while (offset !== undefined);
    expect(ids.size).toBe(100_000);
    expect(pages).toBe(1000);
    expect(performance.now() - t1).toBeLessThan(20_000);
    const cancelled = await cb.subscription.list({ limit: 100, status: { is: 'cancelled' } });
    expect(cancelled.list.every((e) => e.subscription.status === 'cancelled' && !e.subscription.deleted)).toBe(true);
    expect(cancelled.list).toHaveLength(100);
  }, 60_000);
});
