import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { createClient, seedCustomer, tokens, type Client } from './support.js';

/**
 * Operations are executed by graphql-js the first time and by their graphql-jit compilation
 * afterwards (src/graphql/jit.ts). Every answer, errors included, must be the same both ways.
 */
const operations: { name: string; query: string; variables?: Record<string, unknown>; token?: string }[] = [
  {
    name: 'customers page with subscriptions, partner and revenue',
    query: `query Page($first: Int!) { customers(first: $first) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id chargebeeId email partner { partnerKey customerCount netRevenue { currency amount } }
      subscriptions { id status planKey mrr { currency amount } customer { chargebeeId } } netRevenue { currency amount } } } } }`,
    variables: { first: 3 },
  },
  {
    name: 'filtered subscriptions with their customer',
    query: `{ subscriptions(first: 5, filter: { status: ["active"] }) { nodes { __typename id chargebeeId status planKey mrr { amount }
      customer { chargebeeId email createdAt } } } }`,
  },
  { name: 'a node by global id, through a fragment', query: `{ node(id: "${encodeGlobalID('Customer', 'cus_1')}") { __typename ...C } } fragment C on Customer { chargebeeId syncedAt }` },
  { name: 'skip and include', query: 'query($s: Boolean!) { customers(first: 2) { nodes { chargebeeId email @skip(if: $s) partner @include(if: $s) { partnerKey } } } }', variables: { s: true } },
  { name: 'a page size over the maximum', query: '{ customers(first: 1000) { nodes { chargebeeId } } }' },
  { name: 'a bad cursor', query: '{ customers(first: 2, after: "nope") { nodes { chargebeeId } } }' },
  { name: 'a variable that fails coercion', query: 'query($from: DateTime) { transactions(filter: { from: $from }) { totalCount } }', variables: { from: 'yesterday' } },
  { name: 'a missing required variable', query: 'query($first: Int!) { customers(first: $first) { totalCount } }', variables: {} },
  { name: 'a field the role may not read', query: '{ auditLog { totalCount } customers(first: 1) { totalCount } }', token: tokens.reader },
  { name: 'a mutation answering a typed error', query: 'mutation { createPlanMapping(input: { chargebeePlanId: "", planKey: "" }) { __typename ... on ValidationError { message issues { path message } } } }' },
  { name: 'a query over the complexity limit', query: '{ customers(first: 100) { nodes { subscriptions { customer { subscriptions { customer { transactions(last: 100) { amount { amount } } } } } } } } }' },
];

describe.each(testDialects())('compiled execution answers as graphql-js does (%s)', (dialect) => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    client = createClient(db.sync);
    for (let i = 1; i <= 4; i += 1) await seedCustomer(db.sync, `cus_${i}`, i % 2 === 0 ? 'acme' : undefined);
  });
  afterAll(() => db.destroy());

  it.each(operations)('$name', async ({ query, variables, token }) => {
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(JSON.stringify(await client.query(query, variables ?? {}, { token, requestId: 'same-request-id' })));
    expect(answers[1]).toBe(answers[0]);
    expect(answers[2]).toBe(answers[0]);
  });

  it('masks an unexpected error in a compiled query as graphql-js does', async () => {
    const query = '{ signups(first: 5) { totalCount nodes { customerKey } } customers(first: 1) { totalCount } }';
    for (let i = 0; i < 2; i += 1) expect((await client.query(query)).errors).toBeUndefined();
    await db.sync.knex.schema.renameTable('signup', 'signup_moved');
    try {
      const compiled = await client.query(query, {}, { requestId: 'broken' });
      const interpreted = await createClient(db.sync).query(query, {}, { requestId: 'broken' });
      expect(compiled.errors?.[0]?.message).toBe('Unexpected error (request id broken)');
      expect(JSON.stringify(compiled)).toBe(JSON.stringify(interpreted));
    } finally {
      await db.sync.knex.schema.renameTable('signup_moved', 'signup');
    }
  });
});
