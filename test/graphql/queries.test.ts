import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import {
  createClient, customerEvent, dataOf, ingest, seedCustomer, subscriptionEvent, transactionEvent, type Client,
} from './support.js';

interface Edges<T> { totalCount: number; edges: { node: T }[] }
const ids = <T extends { chargebeeId: string }>(c: Edges<T>) => c.edges.map((e) => e.node.chargebeeId);

describe.each(testDialects())('GraphQL queries (%s)', (dialect) => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    client = createClient(db.sync);
    // alice (partner acme): EUR and USD payments, a refund, a failed payment, a deleted payment.
    await ingest(db.sync,
      customerEvent({ id: 'cus_alice', customerKey: 'u-alice', partnerKey: 'acme', email: 'Alice@Example.com', company: 'Wonder 50% Ltd' }),
      subscriptionEvent({ id: 'sub_alice', customerId: 'cus_alice', planId: 'pro-monthly', status: 'active', amount: 5000 }),
      subscriptionEvent({ id: 'sub_alice_old', customerId: 'cus_alice', planId: 'legacy', status: 'cancelled' }),
      transactionEvent({ id: 'txn_a1', customerId: 'cus_alice', subscriptionId: 'sub_alice', amount: 5000, date: 1_700_000_000 }),
      transactionEvent({ id: 'txn_a2', customerId: 'cus_alice', amount: 3000, currency: 'EUR', date: 1_700_100_000 }),
      transactionEvent({ id: 'txn_a3', customerId: 'cus_alice', amount: 1200, type: 'refund', date: 1_700_200_000 }),
      transactionEvent({ id: 'txn_a4', customerId: 'cus_alice', amount: 9999, status: 'failure', date: 1_700_300_000 }),
      transactionEvent({ id: 'txn_a5', customerId: 'cus_alice', amount: 7777, deleted: true, date: 1_700_400_000 }));
    // bob (partner acme, in trial), carol (partner zeta, non_renewing), dave (no partner), erin (deleted).
    await ingest(db.sync,
      customerEvent({ id: 'cus_bob', customerKey: 'u-bob', partnerKey: 'acme' }),
      subscriptionEvent({ id: 'sub_bob', customerId: 'cus_bob', planId: 'pro-monthly', status: 'in_trial' }),
      customerEvent({ id: 'cus_carol', customerKey: 'u-carol', partnerKey: 'zeta' }),
      subscriptionEvent({ id: 'sub_carol', customerId: 'cus_carol', planId: 'basic', status: 'non_renewing' }),
      transactionEvent({ id: 'txn_c1', customerId: 'cus_carol', amount: 2500 }),
      customerEvent({ id: 'cus_dave', customerKey: 'u-dave' }),
      customerEvent({ id: 'cus_erin', customerKey: 'u-erin', partnerKey: 'acme' }),
      customerEvent({ id: 'cus_erin', customerKey: 'u-erin', partnerKey: 'acme', deleted: true }));
    await db.sync.knex('plan_mapping').insert({ chargebee_plan_id: 'basic', plan_key: 'basic', created_at: new Date(), updated_at: new Date() });
    await db.sync.knex('subscription').where('chargebee_plan_id', 'basic').update({ plan_key: 'basic' });
    await db.sync.knex('chargebee_plan').insert({ id: 'enterprise-yearly', name: 'Enterprise', catalog: 'pc2', status: 'active', seen_at: new Date() });
    await db.sync.knex('signup').insert({ customer_key: 'u-frank', partner_key: 'zeta', email: 'frank@example.com', signed_up_at: new Date() });
  });
  afterAll(() => db.destroy());

  it('filters customers by partner, key, email, search, deletion and update time', async () => {
    const q = `query($filter: CustomerFilter) { customers(filter: $filter) { totalCount edges { node { chargebeeId } } } }`;
    const run = async (filter: Record<string, unknown>) => dataOf(await client.query<{ customers: Edges<{ chargebeeId: string }> }>(q, { filter })).customers;
    expect(ids(await run({}))).toEqual(['cus_alice', 'cus_bob', 'cus_carol', 'cus_dave']);
    expect(ids(await run({ includeDeleted: true }))).toContain('cus_erin');
    expect(ids(await run({ partnerKey: 'acme' }))).toEqual(['cus_alice', 'cus_bob']);
    expect(ids(await run({ customerKey: 'u-carol' }))).toEqual(['cus_carol']);
    expect(ids(await run({ email: 'alice@EXAMPLE.com' }))).toEqual(['cus_alice']);
    expect(ids(await run({ search: '50%' }))).toEqual(['cus_alice']);
    expect(ids(await run({ search: 'CUS_B' }))).toEqual(['cus_bob']);
    expect((await run({ updatedSince: '2099-01-01T00:00:00Z' })).totalCount).toBe(0);
    expect((await run({ updatedSince: '2000-01-01T00:00:00Z' })).totalCount).toBe(4);
    const bad = await client.query(q, { filter: { search: '   ' } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.search' });
  });

  it('shows a customer with subscriptions, transactions, partner, attribution history and net revenue', async () => {
    const data = dataOf(await client.query<{ customerByKey: { id: string } & Record<string, unknown> }>(`{ customerByKey(customerKey: "u-alice") {
      id chargebeeId email partner { partnerKey }
      subscriptions { chargebeeId status chargebeePlanId planAmount { amount currency } }
      transactions(last: 3) { chargebeeId type status amount { amount currency } date }
      netRevenue { amount currency }
      attributionHistory { field oldValue newValue source }
    } }`));
    const alice = data.customerByKey;
    expect(alice).toMatchObject({
      chargebeeId: 'cus_alice', email: 'Alice@Example.com', partner: { partnerKey: 'acme' },
      subscriptions: [
        { chargebeeId: 'sub_alice', status: 'active', chargebeePlanId: 'pro-monthly', planAmount: { amount: 5000, currency: 'USD' } },
        { chargebeeId: 'sub_alice_old', status: 'cancelled', chargebeePlanId: 'legacy' },
      ],
      // newest first; the deleted txn_a5 is not listed
      transactions: [
        { chargebeeId: 'txn_a4', status: 'failure', date: '2023-11-18T09:33:20.000Z' },
        { chargebeeId: 'txn_a3', type: 'refund', amount: { amount: 1200, currency: 'USD' } },
        { chargebeeId: 'txn_a2', amount: { amount: 3000, currency: 'EUR' } },
      ],
      // 5000 paid - 1200 refunded in USD; the failed and the deleted payment do not count
      netRevenue: [{ amount: 3000, currency: 'EUR' }, { amount: 3800, currency: 'USD' }],
      attributionHistory: [
        { field: 'customer_key', oldValue: null, newValue: 'u-alice', source: 'cf_customer_id' },
        { field: 'partner_key', oldValue: null, newValue: 'acme', source: 'cf_partner_key' },
      ],
    });
    const byId = dataOf(await client.query<{ customer: { chargebeeId: string }; node: { __typename: string } }>(
      'query($id: ID!) { customer(id: $id) { chargebeeId } node(id: $id) { __typename ... on Customer { email } } }', { id: alice.id }));
    expect(byId).toEqual({ customer: { chargebeeId: 'cus_alice' }, node: { __typename: 'Customer', email: 'Alice@Example.com' } });
    expect(dataOf(await client.query('{ customerByKey(customerKey: "nobody") { id } customerByChargebeeId(chargebeeId: "cus_dave") { customerKey } }')))
      .toEqual({ customerByKey: null, customerByChargebeeId: { customerKey: 'u-dave' } });
  });

  it('filters subscriptions by status, plan, mapping, customer and partner', async () => {
    const q = `query($filter: SubscriptionFilter) { subscriptions(filter: $filter) { totalCount edges { node { chargebeeId planKey customer { chargebeeId } } } } }`;
    const run = async (filter: Record<string, unknown>) => ids(dataOf(await client.query<{ subscriptions: Edges<{ chargebeeId: string }> }>(q, { filter })).subscriptions);
    expect(await run({ status: ['active', 'in_trial'] })).toEqual(['sub_alice', 'sub_bob']);
    expect(await run({ planKey: 'basic' })).toEqual(['sub_carol']);
    expect(await run({ chargebeePlanId: 'pro-monthly' })).toEqual(['sub_alice', 'sub_bob']);
    expect(await run({ unmapped: true })).toEqual(['sub_alice', 'sub_alice_old', 'sub_bob']);
    expect(await run({ unmapped: false })).toEqual(['sub_carol']);
    expect(await run({ partnerKey: 'zeta' })).toEqual(['sub_carol']);
    const { customerByKey } = dataOf(await client.query<{ customerByKey: { id: string } }>('{ customerByKey(customerKey: "u-bob") { id } }'));
    expect(await run({ customerId: customerByKey.id })).toEqual(['sub_bob']);
  });

  it('filters transactions by type, status, customer, partner and date range', async () => {
    const q = `query($filter: TransactionFilter) { transactions(filter: $filter) { totalCount edges { node { chargebeeId } } } }`;
    const run = async (filter: Record<string, unknown>) => ids(dataOf(await client.query<{ transactions: Edges<{ chargebeeId: string }> }>(q, { filter })).transactions);
    expect(await run({ type: ['refund'] })).toEqual(['txn_a3']);
    expect(await run({ status: ['failure'] })).toEqual(['txn_a4']);
    expect(await run({ partnerKey: 'zeta' })).toEqual(['txn_c1']);
    expect(await run({ from: '2023-11-15T00:00:00Z', to: '2023-11-18T00:00:00Z', partnerKey: 'acme' })).toEqual(['txn_a2', 'txn_a3']);
    expect(await run({ includeDeleted: true, partnerKey: 'acme' })).toContain('txn_a5');
    const reversed = await client.query(q, { filter: { from: '2024-01-01T00:00:00Z', to: '2023-01-01T00:00:00Z' } });
    expect(reversed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const notADate = await client.query(q, { filter: { from: 'yesterday' } });
    expect(notADate.errors?.[0]?.message).toMatch(/ISO 8601/);
  });

  it('aggregates partners: customers, active subscriptions (active, non_renewing, in_trial) and net revenue', async () => {
    const data = dataOf(await client.query<{ partners: Edges<Record<string, unknown>> }>(`{ partners { totalCount edges { node {
      partnerKey customerCount activeSubscriptionCount netRevenue { amount currency } customers(first: 1) { totalCount edges { node { chargebeeId } } }
    } } } }`));
    expect(data.partners.totalCount).toBe(2);
    expect(data.partners.edges.map((e) => e.node)).toEqual([
      {
        partnerKey: 'acme', customerCount: 2, activeSubscriptionCount: 2,
        netRevenue: [{ amount: 3000, currency: 'EUR' }, { amount: 3800, currency: 'USD' }],
        customers: { totalCount: 2, edges: [{ node: { chargebeeId: 'cus_alice' } }] },
      },
      {
        partnerKey: 'zeta', customerCount: 1, activeSubscriptionCount: 1,
        netRevenue: [{ amount: 2500, currency: 'USD' }],
        customers: { totalCount: 1, edges: [{ node: { chargebeeId: 'cus_carol' } }] },
      },
    ]);
    expect(dataOf(await client.query('{ partner(partnerKey: "zeta") { customerCount } missing: partner(partnerKey: "nope") { customerCount } }')))
      .toEqual({ partner: { customerCount: 1 }, missing: null });
  });

  it('lists plan mappings, and unmapped plans with their subscription counts (catalog plans included)', async () => {
    const data = dataOf(await client.query<Record<string, unknown>>(`{
      planMappings { totalCount edges { node { chargebeePlanId planKey subscriptionCount } } }
      unmappedPlans { chargebeePlanId subscriptionCount activeSubscriptionCount name }
    }`));
    expect(data.planMappings).toEqual({ totalCount: 1, edges: [{ node: { chargebeePlanId: 'basic', planKey: 'basic', subscriptionCount: 1 } }] });
    expect(data.unmappedPlans).toEqual([
      { chargebeePlanId: 'pro-monthly', subscriptionCount: 2, activeSubscriptionCount: 2, name: null },
      { chargebeePlanId: 'legacy', subscriptionCount: 1, activeSubscriptionCount: 0, name: null },
      { chargebeePlanId: 'enterprise-yearly', subscriptionCount: 0, activeSubscriptionCount: 0, name: 'Enterprise' },
    ]);
  });

  it('lists signups, webhook events by status and type, and the sync status', async () => {
    const data = dataOf(await client.query<{
      signups: Edges<Record<string, unknown>>; webhookEvents: Edges<{ eventType: string; status: string }>;
      failed: { totalCount: number }; syncStatus: Record<string, unknown>;
    }>(`{
      signups { totalCount edges { node { customerKey partnerKey email customers { chargebeeId } } } }
      webhookEvents(first: 2, filter: { eventType: "customer_created" }) { totalCount edges { node { eventType status receivedAt } } }
      failed: webhookEvents(filter: { status: [failed] }) { totalCount }
      syncStatus { lastWebhookReceivedAt lastAppliedAt unmappedPlanCount eventsByStatus { status count } }
    }`));
    expect(data.signups).toEqual({ totalCount: 1, edges: [{ node: { customerKey: 'u-frank', partnerKey: 'zeta', email: 'frank@example.com', customers: [] } }] });
    expect(data.webhookEvents.totalCount).toBe(5);
    expect(data.webhookEvents.edges.map((e) => e.node.eventType)).toEqual(['customer_created', 'customer_created']);
    expect(data.failed.totalCount).toBe(0);
    const total = (await db.sync.knex('webhook_event').count({ n: '*' }))[0]?.n;
    expect(data.syncStatus).toMatchObject({
      unmappedPlanCount: 3,
      eventsByStatus: [{ status: 'applied', count: Number(total) }, { status: 'ignored', count: 0 }, { status: 'stale', count: 0 }, { status: 'failed', count: 0 }],
    });
    expect(Date.parse(data.syncStatus.lastWebhookReceivedAt as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(data.syncStatus.lastAppliedAt).toBe(data.syncStatus.lastWebhookReceivedAt);
  });

  it('rejects queries deeper or costlier than the limits before touching the database', async () => {
    const deep = await client.query('{ partners { edges { node { customers { edges { node { partner { customers { edges { node { chargebeeId } } } } } } } } } } }');
    expect(deep.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(deep.data).toBeNull();
    const costly = await client.query('{ customers(first: 100) { edges { node { transactions(last: 100) { customer { subscriptions { chargebeeId } } } } } } }');
    expect(costly.errors?.[0]?.message).toMatch(/too costly/);
  });
});

describe.each(testDialects())('GraphQL seeded helpers (%s)', (dialect) => {
  it('seedCustomer goes through the apply path', async () => {
    const db = await createTestDatabase(dialect);
    try {
      await seedCustomer(db.sync, 'cus_x', 'p');
      const client = createClient(db.sync);
      expect(dataOf(await client.query('{ customers { totalCount } }'))).toEqual({ customers: { totalCount: 1 } });
    } finally {
      await db.destroy();
    }
  });
});
