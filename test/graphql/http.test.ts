import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { startApp, type App } from '../../src/app.js';
import { loadEnv } from '../../src/config/env.js';
import { apiTokens, tokens } from './support.js';

describe.each(testDialects())('/graphql over HTTP (%s)', (dialect) => {
  let db: TestDatabase;
  let app: App;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } });
    const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db.url, API_TOKENS: apiTokens, GRAPHQL_MAX_BODY_BYTES: '2048', LOG_LEVEL: 'silent' });
    app = await startApp({ env, logger: pino({ level: 'info' }, sink), migrate: false });
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const post = (body: string, headers: Record<string, string> = {}) => fetch(`${app.url}/graphql`, {
    method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.reader}`, ...headers },
  });

  it('serves queries with the request id the HTTP layer assigned', async () => {
    const response = await post(JSON.stringify({ query: '{ customers { totalCount } }' }), { 'x-request-id': 'trace-123' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    expect(await response.json()).toEqual({ data: { customers: { totalCount: 0 } } });
  });

  it('answers 401 without a token and 413 for a body over GRAPHQL_MAX_BODY_BYTES', async () => {
    expect((await post('{"query":"{ syncStatus { unmappedPlanCount } }"}', { authorization: '' })).status).toBe(401);
    const big = await post(JSON.stringify({ query: `{ customers(filter: { search: "${'x'.repeat(4000)}" }) { totalCount } }` }));
    expect(big.status).toBe(413);
  });

  it('masks unexpected errors for the client and logs them with the request id', async () => {
    await db.sync.knex.schema.renameTable('signup', 'signup_moved');
    try {
      const response = await post(JSON.stringify({ query: '{ signups { totalCount } }' }), { 'x-request-id': 'trace-broken' });
      const body = await response.json() as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(body.errors[0]?.message).toBe('Unexpected error (request id trace-broken)');
      expect(body.errors[0]?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'trace-broken' });
      expect(JSON.stringify(body)).not.toMatch(/such table|does not exist|select /i);
      const logged = logLines.find((l) => l.msg === 'unexpected error in GraphQL resolver');
      expect(logged).toMatchObject({ requestId: 'trace-broken', apiToken: 'frontend', path: 'signups' });
    } finally {
      await db.sync.knex.schema.renameTable('signup_moved', 'signup');
    }
  });

  it('serves GraphiQL to browsers and allows introspection', async () => {
    const page = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);
    const introspection = await post(JSON.stringify({ query: '{ __schema { queryType { name } } }' }));
    expect(await introspection.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});
