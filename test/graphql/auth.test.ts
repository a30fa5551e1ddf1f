import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { ConfigError, loadEnv } from '../../src/config/env.js';
import { createGraphQLEndpoint } from '../../src/graphql/http.js';
import { createClient, customerEvent, graphqlEnv, ingest, silentLogger, tokens, type Client } from './support.js';

const readQuery = '{ customers(first: 5) { totalCount edges { node { chargebeeId } } } }';
const createMapping = `mutation { createPlanMapping(input: { chargebeePlanId: "pro-monthly", planKey: "pro" }) {
  __typename ... on PlanMappingPayload { remappedSubscriptions } } }`;
const recordSignup = `mutation { recordSignup(input: { customerKey: "k1", partnerKey: "p1" }) {
  __typename ... on RecordSignupPayload { signup { partnerKey } } } }`;
const eventsWithPayload = '{ webhookEvents(first: 1) { edges { node { eventType payload } } } }';
const auditLog = '{ auditLog(first: 5) { totalCount } }';

describe.each(testDialects())('GraphQL access control (%s)', (dialect) => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    client = createClient(db.sync);
  });
  afterAll(() => db.destroy());
  beforeEach(async () => {
    await db.reset();
    await ingest(db.sync, customerEvent({ id: 'cus_auth', customerKey: 'k1' }));
  });

  it('answers 401 without a token or with an unknown one, before running anything', async () => {
    for (const token of [null, 'not-a-configured-token-000']) {
      const response = await client.query(readQuery, {}, { token });
      expect(response.status).toBe(401);
      expect(response.data).toBeUndefined();
      expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('lets a reader query data but not mutate, see payloads or read the audit log', async () => {
    const read = await client.query(readQuery, {}, { token: tokens.reader });
    expect(read.status).toBe(200);
    expect(read.data).toEqual({ customers: { totalCount: 1, edges: [{ node: { chargebeeId: 'cus_auth' } }] } });

    for (const mutation of [createMapping, recordSignup]) {
      const refused = await client.query(mutation, {}, { token: tokens.reader });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const payload = await client.query<{ webhookEvents: { edges: { node: { eventType: string; payload: unknown } }[] } }>(eventsWithPayload, {}, { token: tokens.reader });
    expect(payload.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(payload.errors?.[0]?.path).toEqual(['webhookEvents', 'edges', 0, 'node', 'payload']);
    expect(payload.data?.webhookEvents.edges[0]?.node).toEqual({ eventType: 'customer_created', payload: null });

    const audit = await client.query<{ auditLog: unknown }>(auditLog, {}, { token: tokens.reader });
    expect(audit.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(audit.data?.auditLog).toBeNull();
    const rows = await db.sync.knex('plan_mapping').count({ n: '*' });
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('lets ingest record signups (and read) but nothing else', async () => {
    const signup = await client.query(recordSignup, {}, { token: tokens.ingest });
    expect(signup.data).toEqual({ recordSignup: { __typename: 'RecordSignupPayload', signup: { partnerKey: 'p1' } } });
    expect((await client.query(readQuery, {}, { token: tokens.ingest })).status).toBe(200);
    expect((await client.query(createMapping, {}, { token: tokens.ingest })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await client.query(auditLog, {}, { token: tokens.ingest })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lets an admin do everything', async () => {
    expect((await client.query(createMapping, {}, { token: tokens.admin })).data).toEqual({
      createPlanMapping: { __typename: 'PlanMappingPayload', remappedSubscriptions: 0 },
    });
    expect((await client.query(recordSignup, {}, { token: tokens.admin })).errors).toBeUndefined();
    const events = await client.query<{ webhookEvents: { edges: { node: { payload: { event_type: string } } }[] } }>(eventsWithPayload, {}, { token: tokens.admin });
    expect(events.data?.webhookEvents.edges[0]?.node.payload.event_type).toBe('customer_created');
    expect((await client.query(auditLog, {}, { token: tokens.admin })).data).toEqual({ auditLog: { totalCount: 2 } });
  });

  it('without API_TOKENS (development) admits loopback callers only', async () => {
    const open = createClient(db.sync, graphqlEnv({ API_TOKENS: undefined }));
    expect((await open.query(createMapping, {}, { token: null, remoteAddress: '127.0.0.1' })).data).toBeDefined();
    expect((await open.query(readQuery, {}, { token: null, remoteAddress: '::1' })).status).toBe(200);
    expect((await open.query(readQuery, {}, { token: null, remoteAddress: '10.0.0.7' })).status).toBe(401);
    expect((await open.query(readQuery, {}, { token: tokens.admin, remoteAddress: '192.168.1.2' })).status).toBe(401);
  });
});

describe('API token configuration', () => {
  it('refuses to start in production without API_TOKENS', () => {
    const base = { NODE_ENV: 'production', CHARGEBEE_WEBHOOK_USERNAME: 'cb', CHARGEBEE_WEBHOOK_PASSWORD: 'pw' };
    expect(() => loadEnv(base)).toThrow(/API_TOKENS is required/);
    expect(loadEnv({ ...base, API_TOKENS: 'ops:admin:0123456789abcdef' }).API_TOKENS).toBe('ops:admin:0123456789abcdef');
  });

  it('rejects malformed tokens with a message naming the entry', () => {
    const build = (API_TOKENS: string) => createGraphQLEndpoint({ sync: undefined as never, logger: silentLogger, env: graphqlEnv({ API_TOKENS }) });
    expect(() => build('ops:root:0123456789abcdef')).toThrow(ConfigError);
    expect(() => build('ops:admin:short')).toThrow(/at least 16/);
    expect(() => build('ops:admin')).toThrow(/name:role:secret/);
    expect(() => build('a:admin:0123456789abcdef,a:reader:0123456789abcdeg')).toThrow(/unique/);
  });
});
