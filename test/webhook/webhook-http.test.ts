import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { basicHeader, postWebhook, startTestApp, webhookAuth } from '../support/app.js';
import { count, one } from '../support/rows.js';
import { customer, envelope, sample } from '../support/events.js';
import type { App } from '../../src/app.js';

describe.each(testDialects())('webhook endpoint on %s', (dialect) => {
  let db: TestDatabase;
  let app: App;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startTestApp(db);
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });
  beforeEach(() => db.reset());

  async function storedPayload(eventId: string): Promise<Record<string, unknown>> {
    const row = await db.sync.knex('webhook_event').select('payload').where('event_id', eventId).first();
    return typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
  }

  it('rejects missing and wrong credentials with 401 and stores nothing', async () => {
    const event = sample('customer_created');
    const none = await postWebhook(app, event, null);
    const wrongPassword = await postWebhook(app, event, basicHeader(webhookAuth.username, 'nope'));
    const wrongUser = await postWebhook(app, event, basicHeader('someone', webhookAuth.password));
    const bearer = await postWebhook(app, event, 'Bearer hook-secret-123');
    expect([none.status, wrongPassword.status, wrongUser.status, bearer.status]).toEqual([401, 401, 401, 401]);
    expect(JSON.stringify(wrongPassword.body)).not.toContain(webhookAuth.password);
    expect(await count(db, 'webhook_event')).toBe(0);
  });

  it('answers 400 with the reason for a body that is not JSON or not an event', async () => {
    const notJson = await postWebhook(app, '{"id": ');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toBe('invalid_json');
    const notEvent = await postWebhook(app, { id: 'ev_1', event_type: 'customer_created', content: {} });
    expect(notEvent.status).toBe(400);
    expect(notEvent.body.message).toMatch(/occurred_at/);
    const array = await postWebhook(app, [1, 2]);
    expect(array.status).toBe(400);
    expect(await count(db, 'webhook_event')).toBe(0);
  });

  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const huge = envelope('customer_created', { customer: customer('c_big', 1_700_000_000_000, { notes: 'x'.repeat(1_100_000) }) });
    const res = await postWebhook(app, huge);
    expect(res.status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 12; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(100_000)));
        controller.close();
      },
    });
    const chunked = await fetch(`${app.url}/webhooks/chargebee`, {
      method: 'POST', body: stream, duplex: 'half',
      headers: { authorization: basicHeader(webhookAuth.username, webhookAuth.password), 'content-type': 'application/json' },
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await count(db, 'webhook_event')).toBe(0);
  });

  it('stores events carrying characters PostgreSQL cannot store, instead of failing them forever', async () => {
    const event = envelope('customer_changed', {
      customer: customer('c_nul', 1_700_000_000_000, { first_name: 'a\u0000b', company: 'x\ud800y', meta_data: { customer_key: 'k\u0000' } }),
    }, { id: 'ev_nul' });
    const res = await postWebhook(app, { ...event, webhook_status: 'a\u0000b' });
    expect(res.status).toBe(200);
    expect(await one(db, 'customer', 'c_nul')).toMatchObject({ first_name: 'a\ufffdb', company: 'x\ufffdy', customer_key: 'k\ufffd' });
    const stored = await storedPayload('ev_nul');
    expect(stored.webhook_status).toBe('a\ufffdb');
    expect((stored.content as { customer: { first_name: string } }).customer.first_name).toBe('a\ufffdb');
  });

  it('stores each payload of a group-committed batch with its own event, as received', async () => {
    const events = Array.from({ length: 12 }, (_, i) => envelope('customer_changed', {
      // A U+001F in a string (escaped in JSON text) must not split the payloads (they travel joined by one).
      customer: customer(`c_batch_${i}`, 1_700_000_000_000 + i, { company: `Company "${i}" \\ ${'é'.repeat(i)}\u001f` }),
    }, { id: `ev_batch_${i}` }));
    const answers = await Promise.all(events.map((event) => postWebhook(app, event)));
    expect(answers.map((a) => a.status)).toEqual(events.map(() => 200));
    for (const event of events) expect(await storedPayload(event.id as string)).toEqual(event);
  });

  it('answers 400 for an event id or type too long to be a Chargebee one', async () => {
    const longId = await postWebhook(app, envelope('customer_changed', { customer: customer('c_1', 1) }, { id: `ev_${'e'.repeat(300)}` }));
    expect(longId.status).toBe(400);
    expect(longId.body.message).toMatch(/^not a Chargebee event: id:/);
    const longType = await postWebhook(app, envelope('x'.repeat(300), {}));
    expect(longType.status).toBe(400);
    expect(await count(db, 'webhook_event')).toBe(0);
  });

  it('answers 405 to other methods and 404 elsewhere', async () => {
    expect((await fetch(`${app.url}/webhooks/chargebee`)).status).toBe(405);
    expect((await fetch(`${app.url}/nowhere`)).status).toBe(404);
  });

  it('stores and applies a real sample, and a redelivery changes nothing', async () => {
    const event = sample('subscription_created');
    const first = await postWebhook(app, event);
    expect(first).toEqual({ status: 200, body: { eventId: 'ev_AzqgumSAxXl56AxY', status: 'applied', duplicate: false } });
    const before = await one(db, 'subscription', 'AzqgumSAxXl3xAxW');
    expect(before).toMatchObject({ customer_id: '16CHTnSAxXWqMAg8', chargebee_plan_id: 'test-company-custom-pro-plan', status: 'future', plan_amount: 960000 });
    const again = await postWebhook(app, event);
    expect(again.body).toMatchObject({ status: 'applied', duplicate: true });
    expect(await one(db, 'subscription', 'AzqgumSAxXl3xAxW')).toEqual(before);
    expect(await count(db, 'webhook_event')).toBe(1);
  });

  it('group-commits concurrent deliveries: every event stored once, answered only after commit', async () => {
    const events = Array.from({ length: 120 }, (_, i) => envelope('customer_changed', {
      customer: customer(`c_${i % 30}`, 1_700_000_000_000 + i, { email: `v${i}@example.com` }),
    }));
    const deliveries = [...events, ...events.slice(0, 40)];
    const responses = await Promise.all(deliveries.map((e) => postWebhook(app, e)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(responses.filter((r) => r.body.duplicate === true)).toHaveLength(40);
    expect(await count(db, 'webhook_event')).toBe(120);
    expect(await count(db, 'customer')).toBe(30);
    // The newest state of each customer won, whatever the batching.
    expect(await one(db, 'customer', 'c_7')).toMatchObject({ email: 'v97@example.com', resource_version: 1_700_000_000_097 });
  });

  it('answers every request with an x-request-id', async () => {
    const res = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'trace-abc' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc');
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  });

  it('answers 503 (and stores nothing) when the database is unreachable', async () => {
    const other = await createTestDatabase(dialect);
    // The pool closed here is the main thread's; the webhook writer thread has connections of its own
    // (its failures are in writer-thread.test.ts and the outage fault test), so this writes on the main thread.
    const fragile = await startTestApp(other, { WEBHOOK_WRITER_THREAD: 'false' });
    try {
      await fragile.orm.close(true);
      const res = await postWebhook(fragile, sample('customer_created'));
      expect(res.status).toBe(503);
      expect((await fetch(`${fragile.url}/readyz`)).status).toBe(503);
    } finally {
      await fragile.close();
      await other.destroy();
    }
  });
});

describe('webhook authentication settings', () => {
  it('accepts unauthenticated webhooks when no credentials are configured (outside production)', async () => {
    const db = await createTestDatabase('sqlite');
    const app = await startTestApp(db, { CHARGEBEE_WEBHOOK_USERNAME: '', CHARGEBEE_WEBHOOK_PASSWORD: '' });
    try {
      expect((await postWebhook(app, sample('customer_created'), null)).status).toBe(200);
    } finally {
      await app.close();
      await db.destroy();
    }
  });
});
