import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphQLEndpoint, type GraphQLEndpoint } from '../../src/graphql/http.js';
import { closeHttpServer, createHttpServer } from '../../src/http/server.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { graphqlEnv, seedCustomer, silentLogger, tokens } from './support.js';

/**
 * The route answers plain JSON POSTs without yoga's fetch adaptation (src/graphql/fast-path.ts).
 * Every request here goes to two servers on the same database: one with the fast path, one
 * sending everything through yoga.fetch. Status, header lines (but Date) and body bytes must match,
 * and the first server must (or must not) have used yoga.fetch as stated.
 */

interface Raw {
  status: number;
  headers: string[];
  body: string;
}

interface Case {
  name: string;
  body: string;
  headers?: Record<string, string>;
  path?: string;
  method?: string;
}

const json = (query: string, variables?: Record<string, unknown>, operationName?: string) => JSON.stringify({ query, variables, operationName });
const complexQuery = '{ customers(first: 100) { nodes { subscriptions { customer { subscriptions { customer { transactions(last: 100) { amount { amount } } } } } } } } }';
const deepQuery = '{ customers(first: 1) { nodes { subscriptions { customer { subscriptions { customer { subscriptions { customer { subscriptions { customer { chargebeeId } } } } } } } } } } }';

/** Requests the fast path answers itself. */
const fastCases: Case[] = [
  { name: 'a page with embedded fields', body: json('query Page { customers(first: 3) { totalCount pageInfo { hasNextPage endCursor } nodes { id chargebeeId email partner { partnerKey } subscriptions { id status planKey mrr { currency amount } } netRevenue { currency amount } } } }') },
  { name: 'a filtered subscriptions page', body: json('{ subscriptions(first: 5, filter: { status: ["active"], planKey: "basic" }) { nodes { id chargebeeId status mrr { amount } customer { chargebeeId email } } } }') },
  { name: 'variables and an operation name among several', body: json('query A($first: Int!) { customers(first: $first) { nodes { chargebeeId } } } query B { syncStatus { unmappedPlanCount } }', { first: 2 }, 'A') },
  { name: '__typename with null variables', body: JSON.stringify({ query: '{ __typename }', variables: null, operationName: null }) },
  { name: 'a subscription operation (the Subscription type is also the subscription root)', body: json('subscription { chargebeeId }') },
  { name: 'a syntax error', body: json('{ customers(first: 2 { nodes { id } } }') },
  { name: 'a validation error', body: json('{ customers { nope } }') },
  { name: 'an unknown operation name', body: json('query A { __typename }', undefined, 'B') },
  { name: 'several operations and no name', body: json('query A { __typename } query B { __typename }') },
  { name: 'the complexity limit', body: json(complexQuery) },
  { name: 'the depth limit', body: json(deepQuery) },
  { name: 'a resolver error (bad cursor)', body: json('{ customers(first: 2, after: "nope") { nodes { chargebeeId } } }') },
  { name: 'a page size over the maximum', body: json('{ customers(first: 1000) { nodes { chargebeeId } } }') },
  { name: 'a variable that fails coercion', body: json('query($from: DateTime) { transactions(filter: { from: $from }) { totalCount } }', { from: 'yesterday' }) },
  { name: 'a missing required variable', body: json('query($first: Int!) { customers(first: $first) { totalCount } }', {}) },
  { name: 'a variable of the wrong type', body: json('query($first: Int) { customers(first: $first) { totalCount } }', { first: 'ten' }) },
  { name: 'a field the role may not read', body: json('{ auditLog { totalCount } customers(first: 1) { totalCount } }'), headers: { authorization: `Bearer ${tokens.reader}` } },
  { name: 'a mutation answering a typed error', body: json('mutation { createPlanMapping(input: { chargebeePlanId: "", planKey: "" }) { __typename ... on ValidationError { message issues { path message } } } }') },
  { name: 'Accept: application/graphql-response+json, success', body: json('{ customers(first: 1) { totalCount } }'), headers: { accept: 'application/graphql-response+json' } },
  { name: 'Accept: application/graphql-response+json, validation error', body: json('{ nope }'), headers: { accept: 'application/graphql-response+json' } },
  { name: 'Accept: application/graphql-response+json, application/json, syntax error', body: json('{'), headers: { accept: 'application/graphql-response+json, application/json' } },
  { name: 'Accept: */*, validation error', body: json('{ nope }'), headers: { accept: '*/*' } },
  { name: 'no Accept header, complexity limit', body: json(complexQuery), headers: { accept: '' } },
  { name: 'content-type with charset', body: json('{ customers(first: 1) { totalCount } }'), headers: { 'content-type': 'application/json; charset=utf-8' } },
];

/** Requests the route leaves to yoga.fetch (answered before an operation runs, or unusual). */
const yogaCases: Case[] = [
  { name: 'an unknown token', body: json('{ __typename }'), headers: { authorization: 'Bearer not-a-token-0000000000' } },
  { name: 'no token', body: json('{ __typename }'), headers: { authorization: '' } },
  { name: 'a body that is not JSON', body: '{"query": "{ __typename }"' },
  { name: 'a JSON array (a batch)', body: JSON.stringify([{ query: '{ __typename }' }]) },
  { name: 'a JSON string', body: '"{ __typename }"' },
  { name: 'no query', body: JSON.stringify({ variables: {} }) },
  { name: 'a query that is not a string', body: JSON.stringify({ query: 42 }) },
  { name: 'variables that are not an object', body: JSON.stringify({ query: '{ __typename }', variables: 'x' }) },
  { name: 'an unknown parameter', body: JSON.stringify({ query: '{ __typename }', other: 1 }) },
  { name: 'extensions', body: JSON.stringify({ query: '{ __typename }', extensions: {} }) },
  { name: 'a text/plain body', body: json('{ __typename }'), headers: { 'content-type': 'text/plain' } },
  { name: 'Accept: text/event-stream', body: json('{ __typename }'), headers: { accept: 'text/event-stream' } },
  { name: 'Accept: application/xml', body: json('{ __typename }'), headers: { accept: 'application/xml' } },
  { name: 'a query string in the URL', body: json('{ __typename }'), path: '/graphql?x=1' },
  { name: 'GET', body: '', method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}` },
];

function send(server: Server, c: Case): Promise<Raw> {
  const { port } = server.address() as AddressInfo;
  const headers: Record<string, string> = {
    'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${tokens.admin}`, 'x-request-id': 'same-request-id', ...c.headers,
  };
  for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: c.path ?? '/graphql', method: c.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const lines: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          if (res.rawHeaders[i]?.toLowerCase() !== 'date') lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        }
        resolve({ status: res.statusCode ?? 0, headers: lines, body: Buffer.concat(chunks).toString('latin1') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(c.method === 'GET' ? undefined : c.body);
  });
}

async function listen(endpoint: GraphQLEndpoint): Promise<Server> {
  const server = createHttpServer({ '/graphql': endpoint.route }, silentLogger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe.each(testDialects())('the route\'s fast path answers as yoga.fetch does (%s)', (dialect) => {
  let db: TestDatabase;
  let endpoints: { fast: GraphQLEndpoint; yoga: GraphQLEndpoint };
  let servers: { fast: Server; yoga: Server };
  const operations = { fast: [] as string[], yoga: [] as string[] };

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    for (let i = 1; i <= 4; i += 1) await seedCustomer(db.sync, `cus_${i}`, i % 2 === 0 ? 'acme' : undefined, i % 2 === 0 ? 'basic-monthly' : 'pro-monthly');
    const env = graphqlEnv({ GRAPHQL_MAX_DEPTH: 9 });
    const fast = createGraphQLEndpoint({ sync: db.sync, logger: silentLogger, env, onOperation: (name) => operations.fast.push(name) });
    const yoga = createGraphQLEndpoint({ sync: db.sync, logger: silentLogger, env, fastPath: false, onOperation: (name) => operations.yoga.push(name) });
    endpoints = { fast, yoga };
    servers = { fast: await listen(fast), yoga: await listen(yoga) };
  });
  afterAll(async () => {
    await closeHttpServer(servers.fast, 100);
    await closeHttpServer(servers.yoga, 100);
    await db.destroy();
  });

  async function compare(c: Case): Promise<Raw> {
    // Three times: operations are compiled (graphql-jit) from their second execution.
    const answers: { fast: Raw; yoga: Raw }[] = [];
    for (let i = 0; i < 3; i += 1) answers.push({ fast: await send(servers.fast, c), yoga: await send(servers.yoga, c) });
    for (const { fast: a, yoga: b } of answers) {
      expect(a.status).toBe(b.status);
      expect(a.headers).toEqual(b.headers);
      expect(a.body).toBe(b.body);
      expect(a).toEqual(answers[0]?.fast);
    }
    return answers[0]!.fast;
  }

  it.each(fastCases)('$name (fast path)', async (c) => {
    const before = { fast: { ...endpoints.fast.served }, yoga: { ...endpoints.yoga.served } };
    const answer = await compare(c);
    expect(endpoints.fast.served).toEqual({ fastPath: before.fast.fastPath + 3, yoga: before.fast.yoga });
    expect(endpoints.yoga.served).toEqual({ fastPath: 0, yoga: before.yoga.yoga + 3 });
    expect(answer.headers).toContain(`content-length: ${Buffer.byteLength(answer.body, 'latin1')}`);
  });

  it.each(yogaCases)('$name (yoga)', async (c) => {
    const before = { fast: { ...endpoints.fast.served }, yoga: { ...endpoints.yoga.served } };
    await compare(c);
    expect(endpoints.fast.served).toEqual({ fastPath: before.fast.fastPath, yoga: before.fast.yoga + 3 });
    expect(endpoints.yoga.served).toEqual({ fastPath: 0, yoga: before.yoga.yoga + 3 });
  });

  it('answers an unexpected resolver error masked, with the request id, both ways', async () => {
    const c = { name: 'masked', body: json('{ signups(first: 5) { totalCount nodes { customerKey } } customers(first: 1) { totalCount } }') };
    const fastPath = endpoints.fast.served.fastPath;
    await compare(c);
    await db.sync.knex.schema.renameTable('signup', 'signup_moved');
    try {
      const answer = await compare(c);
      expect(answer.body).toContain('Unexpected error (request id same-request-id)');
      expect(answer.body).not.toMatch(/such table|does not exist|select /i);
      expect(endpoints.fast.served.fastPath).toBe(fastPath + 6);
    } finally {
      await db.sync.knex.schema.renameTable('signup_moved', 'signup');
    }
  });

  it('reports the same operations to the metrics both ways', () => {
    expect(operations.fast.length).toBeGreaterThan(20);
    expect(operations.fast).toEqual(operations.yoga);
  });
});
