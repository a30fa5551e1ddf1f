import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { createClient, dataOf, seedCustomer, type Client } from './support.js';

const pageQuery = `query($first: Int!) { customers(first: $first) { totalCount edges { node {
  chargebeeId
  subscriptions { chargebeeId status planKey mrr { amount currency } }
  partner { partnerKey customerCount activeSubscriptionCount netRevenue { amount currency } }
  netRevenue { amount currency }
} } } }`;

describe.each(testDialects())('SQL statements per customer page (%s)', (dialect) => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    client = createClient(db.sync);
    for (let i = 0; i < 60; i += 1) await seedCustomer(db.sync, `cus_${String(i).padStart(3, '0')}`, `partner_${i % 7}`);
  });
  afterAll(() => db.destroy());

  /** Counts the statements knex sends while one GraphQL request runs. */
  async function statementsFor(first: number): Promise<{ statements: string[]; customers: number }> {
    const statements: string[] = [];
    const listener = (query: { sql: string }) => statements.push(query.sql);
    db.sync.knex.on('query', listener);
    try {
      const data = dataOf(await client.query<{ customers: { edges: unknown[] } }>(pageQuery, { first }));
      return { statements, customers: data.customers.edges.length };
    } finally {
      db.sync.knex.removeListener('query', listener);
    }
  }

  it('runs the same fixed number of statements for 5 or 50 customers with subscriptions, partner and revenue', async () => {
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    expect(small.customers).toBe(5);
    expect(large.customers).toBe(50);
    // page (with each customer's subscriptions and revenue embedded), totalCount, partner customers,
    // partner active subscriptions, partner revenue
    expect(large.statements).toHaveLength(5);
    expect(small.statements).toHaveLength(large.statements.length);
  });

  it('reads a page of subscriptions with their customers, or of customers with subscriptions and revenue, in one statement', async () => {
    const statements: string[] = [];
    const listener = (query: { sql: string }) => statements.push(query.sql);
    db.sync.knex.on('query', listener);
    try {
      const subscriptions = dataOf(await client.query<{ subscriptions: { nodes: { customer: { email: string } | null }[] } }>(
        '{ subscriptions(first: 50, filter: { status: ["active"] }) { nodes { status mrr { amount } customer { chargebeeId email } } } }'));
      expect(subscriptions.subscriptions.nodes).toHaveLength(50);
      expect(subscriptions.subscriptions.nodes.every((s) => s.customer !== null)).toBe(true);
      expect(statements).toHaveLength(1);
      const customers = dataOf(await client.query<{ customers: { nodes: { subscriptions: unknown[]; netRevenue: unknown[] }[] } }>(
        '{ customers(first: 50) { nodes { email partner { partnerKey } subscriptions { status } netRevenue { amount } } } }'));
      expect(customers.customers.nodes.every((c) => c.subscriptions.length === 1 && c.netRevenue.length === 1)).toBe(true);
      expect(statements).toHaveLength(2);
    } finally {
      db.sync.knex.removeListener('query', listener);
    }
  });
});
