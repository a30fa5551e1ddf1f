import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntrospectionQuery } from 'graphql/index.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { postWebhook, startTestApp } from '../support/app.js';
import { customer, envelope, pc1Subscription } from '../support/events.js';
import type { App } from '../../src/app.js';

const adminToken = 'abuse-admin-token-0000001';

describe.each(testDialects())('GraphQL abuse is rejected cheaply on %s', (dialect) => {
  let db: TestDatabase;
  let app: App;
  let statements = 0;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startTestApp(db, { API_TOKENS: `ops:admin:${adminToken}` });
    for (let i = 0; i < 20; i++) {
      await postWebhook(app, envelope('subscription_created', {
        customer: customer(`c_${i}`, 1000, { cf_partner_key: 'p_1' }), subscription: pc1Subscription(`s_${i}`, `c_${i}`, 1000),
      }));
    }
    app.sync.knex.on('query', () => { statements += 1; });
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  async function post(body: string): Promise<{ status: number; json: { data?: unknown; errors?: { message: string }[] }; ms: number; statements: number }> {
    const before = statements;
    const started = performance.now();
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body,
    });
    const text = await res.text();
    const ms = performance.now() - started;
    let json: { data?: unknown; errors?: { message: string }[] } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      json = {};
    }
    return { status: res.status, json, ms, statements: statements - before };
  }
  const gql = (query: string) => post(JSON.stringify({ query }));

  it('answers the GraphiQL introspection query within the limits', async () => {
    const res = await gql(getIntrospectionQuery());
    expect(res.json.errors).toBeUndefined();
    expect(res.json.data).toHaveProperty('__schema');
  });

  it('rejects deep nesting before touching the database', async () => {
    let selection = 'id';
    for (let i = 0; i < 8; i++) selection = `partner { customers(first: 2) { nodes { ${selection} } } }`;
    const res = await gql(`{ customers(first: 2) { nodes { ${selection} } } }`);
    expect(res.json.errors?.[0]?.message).toMatch(/depth/i);
    expect(res.json.data ?? null).toBeNull();
    expect(res.statements).toBe(0);
    console.info(`[abuse ${dialect}] deep nesting rejected in ${res.ms.toFixed(1)} ms`);
  });

  it('rejects an alias flood by its cost before touching the database', async () => {
    const aliases = Array.from({ length: 500 }, (_, i) => `a${i}: customers(first: 100) { nodes { id email subscriptions { id planKey } } }`);
    const res = await gql(`{ ${aliases.join(' ')} }`);
    expect(res.json.errors?.[0]?.message).toMatch(/complex|cost/i);
    expect(res.statements).toBe(0);
    console.info(`[abuse ${dialect}] 500-alias flood rejected in ${res.ms.toFixed(1)} ms`);
  });

  it('refuses a page size over 100 with an explained error, not a silent cap', async () => {
    const res = await gql('{ customers(first: 1000000) { nodes { id } } }');
    expect(res.json.errors?.[0]?.message).toMatch(/100/);
  });

  it('refuses an oversized body with 413 without parsing it', async () => {
    const res = await post(JSON.stringify({ query: `{ __typename } # ${'x'.repeat(300_000)}` }));
    expect(res.status).toBe(413);
    expect(res.statements).toBe(0);
    console.info(`[abuse ${dialect}] 300 KB body refused in ${res.ms.toFixed(1)} ms`);
  });

  it('keeps serving normal queries afterwards', async () => {
    const res = await gql('{ customers(first: 5) { totalCount nodes { id } } }');
    expect(res.json.errors).toBeUndefined();
    expect((res.json.data as { customers: { totalCount: number } }).customers.totalCount).toBe(20);
  });
});
