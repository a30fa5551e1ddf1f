import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { count, one, rows } from '../support/rows.js';
import { customer, envelope, fixture, pc1Subscription, pc2Subscription, sample, transaction } from '../support/events.js';
import { ingestEvent, ingestEvents, parseEnvelope, replayEvent } from '../../src/sync/ingest.js';
import { remapSubscriptions } from '../../src/sync/plans.js';
import { recordSignup } from '../../src/sync/signups.js';
import type { SyncDeps } from '../../src/sync/sync-deps.js';
import type { Dialect } from '../../src/db/orm.js';
import { postgresPool, type Pool } from '../../src/webhook/writer-pools.js';
import type { Knex } from '@mikro-orm/knex';

// PostgreSQL also runs with the webhook writer thread's pipelined connections (statements issued
// before the previous one is answered: sync/sql.ts), where the customers' rows are read ahead.
const variants = testDialects().flatMap((d): [Dialect, boolean][] => (d === 'postgresql' ? [[d, false], [d, true]] : [[d, false]]));

describe.each(variants)('apply path on %s (pipelined: %s)', (dialect, pipelined) => {
  let db: TestDatabase;
  let deps: SyncDeps;
  let pool: Pool | null = null;
  const ingest = (event: Record<string, unknown>) => ingestEvent(deps, parseEnvelope(event), event, 'webhook');

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    deps = db.sync;
    if (pipelined) {
      pool = postgresPool(db.url, 4);
      deps = { ...db.sync, knex: { client: pool } as unknown as Knex };
    }
  });
  afterAll(async () => {
    await pool?.end();
    await db.destroy();
  });
  beforeEach(() => db.reset());

  /** Records a signup in a transaction left open (holding its key's lock); resolves to what commits it. */
  const uncommittedSignup = (customerKey: string, partnerKey: string) => new Promise<() => void>((held) => {
    void db.sync.knex.transaction(async (trx) => {
      await recordSignup(trx, dialect, { customerKey, partnerKey });
      await new Promise<void>((commit) => held(commit));
    });
  });

  it('applies the shared samples cleanly', async () => {
    for (const name of ['customer_created', 'subscription_created', 'payment_succeeded']) {
      expect((await ingest(sample(name))).status).toBe('applied');
    }
    expect(await one(db, 'customer', '16CHTnSAxXWqMAg8')).toMatchObject({ company: 'Test Company with Plan', resource_version: 1600447719572, deleted: false, synced_by: 'webhook' });
    expect(await one(db, 'billing_transaction', 'txn_AzqYRySIstMLf6N')).toMatchObject({
      customer_id: '16BjsrSIh4AdLqkD', subscription_id: 'tax customer test', type: 'payment', status: 'success', amount: 450000, currency: 'USD',
    });
    const txn = await one(db, 'billing_transaction', 'txn_AzqYRySIstMLf6N');
    const invoiceIds: unknown = typeof txn?.invoice_ids === 'string' ? JSON.parse(txn.invoice_ids) : txn?.invoice_ids;
    expect(invoiceIds).toEqual(['22']);
  });

  it('an older subscription_changed after a newer one leaves the newer state and is marked stale', async () => {
    const newer = envelope('subscription_changed', { subscription: pc1Subscription('sub_1', 'cust_1', 2000, { status: 'cancelled' }) });
    const older = envelope('subscription_changed', { subscription: pc1Subscription('sub_1', 'cust_1', 1000, { status: 'active' }) });
    expect((await ingest(newer)).status).toBe('applied');
    expect((await ingest(older)).status).toBe('stale');
    expect(await one(db, 'subscription', 'sub_1')).toMatchObject({ status: 'cancelled', resource_version: 2000 });
    expect((await rows(db, 'webhook_event')).map((e) => e.status).sort()).toEqual(['applied', 'stale']);
  });

  it('marks every stale event of a batch stale, and only those', async () => {
    await ingest(envelope('subscription_changed', { subscription: pc1Subscription('sub_a', 'cust_1', 2000, { status: 'cancelled' }) }));
    await ingest(envelope('subscription_changed', { subscription: pc1Subscription('sub_b', 'cust_1', 2000, { status: 'cancelled' }) }));
    const batch = [
      envelope('subscription_changed', { subscription: pc1Subscription('sub_a', 'cust_1', 1000) }, { id: 'ev_stale_a' }),
      envelope('subscription_changed', { subscription: pc1Subscription('sub_c', 'cust_1', 1000) }, { id: 'ev_new_c' }),
      envelope('subscription_changed', { subscription: pc1Subscription('sub_b', 'cust_1', 1500) }, { id: 'ev_stale_b' }),
    ];
    const results = await ingestEvents(deps, batch.map((event) => ({ event: parseEnvelope(event), payload: event })), 'webhook');
    expect(results.map((r) => [r.eventId, r.status])).toEqual([['ev_stale_a', 'stale'], ['ev_new_c', 'applied'], ['ev_stale_b', 'stale']]);
    const stored = await rows(db, 'webhook_event');
    expect(Object.fromEntries(stored.filter((e) => String(e.event_id).startsWith('ev_')).map((e) => [e.event_id, e.status])))
      .toMatchObject({ ev_stale_a: 'stale', ev_new_c: 'applied', ev_stale_b: 'stale' });
  });

  it('falls back to updated_at when resource_version is missing', async () => {
    const base = pc1Subscription('sub_old', 'cust_1', 0, { resource_version: undefined });
    await ingest(envelope('subscription_changed', { subscription: { ...base, updated_at: 1_400_000_200, status: 'active' } }));
    const stale = await ingest(envelope('subscription_changed', { subscription: { ...base, updated_at: 1_400_000_100, status: 'future' } }));
    expect(stale.status).toBe('stale');
    expect(await one(db, 'subscription', 'sub_old')).toMatchObject({ status: 'active', resource_version: 1_400_000_200_000 });
  });

  it('stores an event type with no resource we keep as ignored', async () => {
    const result = await ingest(envelope('coupon_created', { coupon: { id: 'SAVE10' } }));
    expect(result.status).toBe('ignored');
    expect(await count(db, 'webhook_event', { status: 'ignored' })).toBe(1);
  });

  it('stores a resource it cannot interpret as failed, with no partial rows, and replays it', async () => {
    const bad = envelope('subscription_created', {
      customer: customer('cust_f', 1000),
      subscription: { id: 'sub_f', customer_id: 'cust_f', status: 42 },
    });
    const result = await ingest(bad);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/content\.subscription\.status/);
    expect(await count(db, 'customer')).toBe(0);
    const stored = (await rows(db, 'webhook_event'))[0];
    expect(stored).toMatchObject({ status: 'failed', attempts: 1 });
    const replay = await replayEvent(db.sync, String(bad.id));
    expect(replay).toMatchObject({ previousStatus: 'failed', status: 'failed' });
    expect((await rows(db, 'webhook_event'))[0]).toMatchObject({ attempts: 2 });
  });

  it('tombstones on customer_deleted, including the subscriptions it lists, and never resurrects', async () => {
    await ingest(envelope('customer_created', { customer: customer('cust_del_1', 1_700_000_000_000) }));
    await ingest(envelope('subscription_created', { subscription: pc1Subscription('sub_del_1', 'cust_del_1', 1_700_000_000_000) }));
    expect((await ingest(fixture('customer_deleted'))).status).toBe('applied');
    expect(await one(db, 'customer', 'cust_del_1')).toMatchObject({ deleted: true, resource_version: 1_700_100_000_000 });
    expect(await one(db, 'subscription', 'sub_del_1')).toMatchObject({ deleted: true, status: 'cancelled' });
    const late = await ingest(envelope('customer_changed', { customer: customer('cust_del_1', 1_700_050_000_000) }));
    expect(late.status).toBe('stale');
    expect(await one(db, 'customer', 'cust_del_1')).toMatchObject({ deleted: true });
  });

  it('a deletion with the same version as the stored state still tombstones', async () => {
    await ingest(envelope('subscription_created', { subscription: pc1Subscription('sub_tie', 'c', 5000) }));
    expect((await ingest(envelope('subscription_deleted', { subscription: pc1Subscription('sub_tie', 'c', 5000) }))).status).toBe('applied');
    expect(await one(db, 'subscription', 'sub_tie')).toMatchObject({ deleted: true });
  });

  it('records payments, failed payments and refunds with their amounts, currencies and links', async () => {
    await ingest(sample('payment_succeeded'));
    await ingest(fixture('payment_refunded'));
    await ingest(fixture('payment_failed'));
    expect(await one(db, 'billing_transaction', 'txn_refund_1')).toMatchObject({ type: 'refund', status: 'success', amount: 150000, refunded_txn_id: 'txn_AzqYRySIstMLf6N' });
    expect(await one(db, 'billing_transaction', 'txn_failed_1')).toMatchObject({ type: 'payment', status: 'failure', amount: 4900, currency: 'EUR', base_currency: 'USD', exchange_rate: 1.08 });
    expect(await one(db, 'subscription', 'sub_pf_1')).toMatchObject({ chargebee_plan_id: 'starter-EUR', status: 'active' });
  });

  it('reads PC 2.0 subscriptions and custom-field attribution from hosted pages', async () => {
    await ingest(fixture('subscription_created_pc2'));
    expect(await one(db, 'subscription', '__test__8asukSOXe0W3SU')).toMatchObject({ chargebee_plan_id: 'basic-USD', quantity: 1, plan_amount: 1000, mrr: 1000 });
    expect(await one(db, 'customer', '__test__8asukSOXe0QYSR')).toMatchObject({
      customer_key: 'ck_hosted_42', customer_key_source: 'cf_customer_id', partner_key: 'partner_hosted', partner_key_source: 'cf_partner_key',
    });
  });

  it('maps plans at apply time and re-maps when mappings change', async () => {
    const now = new Date();
    await db.sync.knex('plan_mapping').insert({ chargebee_plan_id: 'pro-monthly', plan_key: 'pro', created_at: now, updated_at: now });
    await ingest(envelope('subscription_created', { subscription: pc1Subscription('sub_m1', 'c', 1000) }));
    await ingest(envelope('subscription_created', { subscription: pc2Subscription('sub_m2', 'c', 1000) }));
    expect(await one(db, 'subscription', 'sub_m1')).toMatchObject({ plan_key: 'pro' });
    expect(await one(db, 'subscription', 'sub_m2')).toMatchObject({ chargebee_plan_id: 'team-EUR-monthly', plan_key: null });
    await db.sync.knex('plan_mapping').insert({ chargebee_plan_id: 'team-EUR-monthly', plan_key: 'team', created_at: now, updated_at: now });
    await db.sync.knex('plan_mapping').where('chargebee_plan_id', 'pro-monthly').update({ plan_key: 'professional' });
    expect(await remapSubscriptions(db.sync.knex, ['team-EUR-monthly'])).toBe(1);
    expect(await remapSubscriptions(db.sync.knex)).toBe(1);
    expect(await remapSubscriptions(db.sync.knex)).toBe(0);
    expect((await rows(db, 'subscription')).map((s) => s.plan_key)).toEqual(['professional', 'team']);
  });

  describe('attribution', () => {
    it('is sticky: a later payload without keys keeps them', async () => {
      await ingest(envelope('customer_created', { customer: customer('c1', 1000, { meta_data: { customer_key: 'ck_1' }, cf_partner_key: 'p_1' }) }));
      await ingest(envelope('customer_changed', { customer: customer('c1', 2000, { email: 'new@example.com' }) }));
      expect(await one(db, 'customer', 'c1')).toMatchObject({ email: 'new@example.com', customer_key: 'ck_1', partner_key: 'p_1' });
    });

    it('a different key replaces the old one and the change is in the history', async () => {
      await ingest(envelope('customer_created', { customer: customer('c1', 1000, { cf_partner_key: 'p_1' }) }));
      const second = envelope('customer_changed', { customer: customer('c1', 2000, { cf_partner_key: 'p_2' }) });
      await ingest(second);
      expect(await one(db, 'customer', 'c1')).toMatchObject({ partner_key: 'p_2' });
      const history = await rows(db, 'attribution_change', { customer_id: 'c1', field: 'partner_key' });
      expect(history.map((h) => [h.old_value, h.new_value, h.source])).toEqual([[null, 'p_1', 'cf_partner_key'], ['p_1', 'p_2', 'cf_partner_key']]);
      expect(history[1]?.event_id).toBe(second.id);
    });

    it('an older payload fills a key the stored state lacks', async () => {
      await ingest(envelope('customer_changed', { customer: customer('c1', 2000) }));
      const older = await ingest(envelope('customer_created', { customer: customer('c1', 1000, { meta_data: { customer_key: 'ck_early' } }) }));
      expect(older.status).toBe('applied');
      expect(await one(db, 'customer', 'c1')).toMatchObject({ customer_key: 'ck_early', resource_version: 2000 });
    });

    it('attributes through a signup recorded before the customer', async () => {
      await recordSignup(db.sync.knex, dialect, { customerKey: 'ck_s', partnerKey: 'p_signup', email: 's@example.com' });
      await ingest(envelope('customer_created', { customer: customer('c_s', 1000, { meta_data: { customer_key: 'ck_s' } }) }));
      expect(await one(db, 'customer', 'c_s')).toMatchObject({ partner_key: 'p_signup', partner_key_source: 'signup' });
    });

    it('attributes through a signup recorded after the customer', async () => {
      await ingest(envelope('customer_created', { customer: customer('c_s', 1000, { meta_data: { customer_key: 'ck_s' } }) }));
      const result = await recordSignup(db.sync.knex, dialect, { customerKey: 'ck_s', partnerKey: 'p_signup' });
      expect(result.attributedCustomerIds).toEqual(['c_s']);
      expect(await one(db, 'customer', 'c_s')).toMatchObject({ partner_key: 'p_signup', partner_key_source: 'signup' });
      expect(await count(db, 'attribution_change', { customer_id: 'c_s', field: 'partner_key' })).toBe(1);
    });

    it.runIf(dialect === 'postgresql')('a signup committed while a keyless customer update waits on its key is not lost', async () => {
      await ingest(envelope('customer_created', { customer: customer('c_race', 1000, { cf_customer_id: 'ck_race' }) }));
      const commitSignup = await uncommittedSignup('ck_race', 'p_race');
      // A newer state without keys: its stored key's lock is held by the uncommitted signup.
      const update = ingest(envelope('customer_changed', { customer: customer('c_race', 2000, { first_name: 'Grace' }) }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      commitSignup();
      expect((await update).status).toBe('applied');
      expect(await one(db, 'customer', 'c_race')).toMatchObject({ first_name: 'Grace', customer_key: 'ck_race', partner_key: 'p_race', partner_key_source: 'signup' });
    });

    it.runIf(dialect === 'postgresql')('a new customer whose key has a signup being committed waits for it, and is attributed by it', async () => {
      const commitSignup = await uncommittedSignup('ck_wait', 'p_wait');
      // The key's lock (taken with the inbox insert) is held by the uncommitted signup.
      let done = false;
      const created = ingest(envelope('customer_created', { customer: customer('c_wait', 1000, { cf_customer_id: 'ck_wait' }) }))
        .finally(() => { done = true; });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      commitSignup();
      expect((await created).status).toBe('applied');
      expect(await one(db, 'customer', 'c_wait')).toMatchObject({ customer_key: 'ck_wait', partner_key: 'p_wait', partner_key_source: 'signup' });
    });

    it('a partner key from Chargebee outranks a signup, in either order', async () => {
      await recordSignup(db.sync.knex, dialect, { customerKey: 'ck_a', partnerKey: 'p_signup' });
      await ingest(envelope('customer_created', { customer: customer('c_a', 1000, { cf_customer_id: 'ck_a', cf_partner_key: 'p_cf' }) }));
      await ingest(envelope('customer_created', { customer: customer('c_b', 1000, { cf_customer_id: 'ck_b', cf_partner_key: 'p_cf' }) }));
      await recordSignup(db.sync.knex, dialect, { customerKey: 'ck_b', partnerKey: 'p_signup' });
      expect((await rows(db, 'customer')).map((c) => c.partner_key)).toEqual(['p_cf', 'p_cf']);
    });

    it('uses the customer id as the key only when the fallback is enabled', async () => {
      await ingest(envelope('customer_created', { customer: customer('c_plain', 1000) }));
      expect(await one(db, 'customer', 'c_plain')).toMatchObject({ customer_key: null });
      const fallback = { ...deps, fallbackToCustomerId: true };
      const event = envelope('customer_created', { customer: customer('c_fb', 1000) });
      await ingestEvent(fallback, parseEnvelope(event), event, 'webhook');
      expect(await one(db, 'customer', 'c_fb')).toMatchObject({ customer_key: 'c_fb', customer_key_source: 'customer_id' });
    });
  });

  it('keeps a payment even when it arrives before its customer and subscription', async () => {
    await ingest(envelope('payment_succeeded', { transaction: transaction('txn_early', 'cust_later', 1000) }));
    await ingest(envelope('customer_created', { customer: customer('cust_later', 900) }));
    expect(await count(db, 'billing_transaction')).toBe(1);
    expect(await count(db, 'customer')).toBe(1);
  });
  it('answers redelivered events with their stored outcome, within a batch and across batches', async () => {
    await ingest(envelope('subscription_changed', { subscription: pc1Subscription('sub_d', 'cust_1', 2000) }, { id: 'ev_newer' }));
    await ingest(envelope('subscription_changed', { subscription: pc1Subscription('sub_d', 'cust_1', 1000) }, { id: 'ev_older' }));
    await ingest(envelope('subscription_created', { subscription: { id: 'sub_x', customer_id: 'cust_1', status: 42 } }, { id: 'ev_broken' }));
    const again = (id: string) => envelope('subscription_changed', { subscription: pc1Subscription('sub_d', 'cust_1', 500) }, { id });
    const batch = [again('ev_older'), again('ev_fresh'), again('ev_broken'), again('ev_fresh'), again('ev_newer')];
    const results = await ingestEvents(deps, batch.map((event) => ({ event: parseEnvelope(event), payload: event })), 'webhook');
    expect(results.map((r) => [r.eventId, r.status, r.duplicate])).toEqual([
      ['ev_older', 'stale', true], ['ev_fresh', 'stale', false], ['ev_broken', 'failed', true], ['ev_fresh', 'stale', true], ['ev_newer', 'applied', true],
    ]);
    expect(results[2]?.error).toMatch(/content\.subscription\.status/);
    expect(await count(db, 'webhook_event')).toBe(4);
  });

  it.runIf(dialect === 'postgresql')('the sync transaction\'s planner settings end with it', async () => {
    await ingest(envelope('customer_created', { customer: customer('c_setting', 1000) }));
    // The pool's connections (the test database uses a few) are back to the server's defaults.
    const text = "select current_setting('enable_seqscan') as seqscan, current_setting('plan_cache_mode') as plans";
    const settingsOf = async (): Promise<unknown> => {
      if (pool === null) return ((await db.sync.knex.raw(text)) as { rows: unknown[] }).rows[0];
      const connection = await pool.acquireConnection() as { query(text: string): Promise<{ rows: unknown[] }> };
      try {
        return (await connection.query(text)).rows[0];
      } finally {
        await pool.releaseConnection(connection);
      }
    };
    const settings = await Promise.all([1, 2, 3].map(settingsOf));
    expect(settings).toEqual([1, 2, 3].map(() => ({ seqscan: 'on', plans: 'auto' })));
  });

  it('a batch with an event the database refuses stores that one as failed and applies the others', async () => {
    // A trigger stands in for any lasting refusal (a constraint, a value out of range) of one
    // subscription; its customer is written before it (on SQLite by a statement of its own).
    const refuse = dialect === 'postgresql'
      ? ["create function refuse_sub_bad() returns trigger language plpgsql as $$ begin"
        + " if new.id = 'sub_bad' then raise exception 'refused' using errcode = '23514'; end if; return new; end $$",
      'create trigger refuse_sub_bad before insert or update on subscription for each row execute function refuse_sub_bad()']
      : ["create trigger refuse_sub_bad before insert on subscription when new.id = 'sub_bad' begin select raise(abort, 'refused'); end"];
    for (const statement of refuse) await db.sync.knex.raw(statement);
    try {
      const batch = [
        envelope('customer_created', { customer: customer('cust_ok1', 1000) }, { id: 'ev_ok1' }),
        envelope('subscription_created', { customer: customer('cust_bad', 1000), subscription: pc1Subscription('sub_bad', 'cust_bad', 1000) }, { id: 'ev_bad' }),
        envelope('customer_created', { customer: customer('cust_ok2', 1000) }, { id: 'ev_ok2' }),
      ];
      const results = await ingestEvents(deps, batch.map((event) => ({ event: parseEnvelope(event), payload: event })), 'webhook');
      expect(results.map((r) => [r.eventId, r.status, r.duplicate])).toEqual([['ev_ok1', 'applied', false], ['ev_bad', 'failed', false], ['ev_ok2', 'applied', false]]);
      expect(results[1]?.error).toMatch(/^database rejected the event: /);
      // The refused event leaves no partial rows (its customer was in the same savepoint), yet is in the inbox for a replay.
      expect((await rows(db, 'customer')).map((c) => c.id).sort()).toEqual(['cust_ok1', 'cust_ok2']);
      expect(await count(db, 'subscription')).toBe(0);
      expect(Object.fromEntries((await rows(db, 'webhook_event')).map((e) => [e.event_id, e.status]))).toEqual({ ev_ok1: 'applied', ev_bad: 'failed', ev_ok2: 'applied' });
    } finally {
      await db.sync.knex.raw('drop trigger refuse_sub_bad' + (dialect === 'postgresql' ? ' on subscription' : ''));
      if (dialect === 'postgresql') await db.sync.knex.raw('drop function refuse_sub_bad()');
    }
  });
});
