import { sample } from '../support/events.js';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createGraphQLEndpoint, type GraphQLEndpoint, type GraphQLEnv } from '../../src/graphql/http.js';
import { ingestEvent, parseEnvelope, type IngestResult } from '../../src/sync/ingest.js';
import type { SyncDeps } from '../../src/sync/sync-deps.js';

export const tokens = {
  reader: 'reader-secret-0000000001',
  ingest: 'ingest-secret-0000000001',
  admin: 'admin-secret-00000000001',
};
export const apiTokens = `frontend:reader:${tokens.reader},signup-hook:ingest:${tokens.ingest},ops:admin:${tokens.admin}`;

export const silentLogger = pino({ level: 'silent' });

export function graphqlEnv(overrides: Partial<GraphQLEnv> = {}): GraphQLEnv {
  return {
    NODE_ENV: 'test', API_TOKENS: apiTokens, GRAPHIQL: true, GRAPHQL_MAX_BODY_BYTES: 100 * 1024,
    GRAPHQL_MAX_DEPTH: 10, GRAPHQL_MAX_COMPLEXITY: 20_000, ...overrides,
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] | undefined;
}

export interface Client {
  endpoint: GraphQLEndpoint;
  /** POSTs an operation through yoga.fetch as a caller on 127.0.0.1 (or `remoteAddress`). */
  query<T = Record<string, unknown>>(
    query: string, variables?: Record<string, unknown>, options?: { token?: string | null; remoteAddress?: string; requestId?: string },
  ): Promise<GraphQLResponse<T>>;
}

export function createClient(sync: SyncDeps, env: GraphQLEnv = graphqlEnv(), logger = silentLogger): Client {
  const endpoint = createGraphQLEndpoint({ sync, logger, env });
  return {
    endpoint,
    async query(query, variables = {}, options = {}) {
      const token = options.token === undefined ? tokens.admin : options.token;
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const response = await endpoint.yoga.fetch('http://localhost/graphql', {
        method: 'POST', headers, body: JSON.stringify({ query, variables }),
      }, { remoteAddress: options.remoteAddress ?? '127.0.0.1', requestId: options.requestId ?? randomUUID() });
      const body = await response.json() as { data?: never; errors?: GraphQLResponse['errors'] };
      return { status: response.status, data: body.data, errors: body.errors };
    },
  };
}

/** Fails the test with the server's errors when an operation did not succeed. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || response.data === null || response.data === undefined) {
    throw new Error(`GraphQL errors (HTTP ${response.status}): ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}

// ---- Chargebee-shaped events, built on the public samples -------------------------------------

const samples = { customer: sample('customer_created'), subscription: sample('subscription_created'), payment: sample('payment_succeeded') };
const contentOf = (event: Record<string, unknown>) => event.content as Record<string, Record<string, unknown>>;

let sequence = 0;
const nextVersion = () => 1_700_000_000_000 + (sequence += 1);
const eventId = () => `ev_test_${randomUUID()}`;

export interface CustomerSpec {
  id: string;
  customerKey?: string;
  partnerKey?: string;
  email?: string;
  company?: string;
  deleted?: boolean;
}

export function customerEvent(spec: CustomerSpec): Record<string, unknown> {
  const customer = {
    ...contentOf(samples.customer).customer, id: spec.id, email: spec.email ?? `${spec.id}@example.com`,
    company: spec.company ?? `Company ${spec.id}`, resource_version: nextVersion(), deleted: spec.deleted ?? false,
    ...(spec.customerKey ? { cf_customer_id: spec.customerKey } : {}),
    ...(spec.partnerKey ? { cf_partner_key: spec.partnerKey } : {}),
  };
  return { ...samples.customer, id: eventId(), event_type: spec.deleted ? 'customer_deleted' : 'customer_created', content: { customer } };
}

export interface SubscriptionSpec {
  id: string;
  customerId: string;
  planId: string;
  status?: string;
  amount?: number;
  currency?: string;
}

export function subscriptionEvent(spec: SubscriptionSpec): Record<string, unknown> {
  const subscription = {
    ...contentOf(samples.subscription).subscription, id: spec.id, customer_id: spec.customerId, plan_id: spec.planId,
    status: spec.status ?? 'active', plan_unit_price: spec.amount ?? 1000, plan_amount: spec.amount ?? 1000,
    currency_code: spec.currency ?? 'USD', resource_version: nextVersion(),
  };
  return { ...samples.subscription, id: eventId(), event_type: 'subscription_created', content: { subscription } };
}

export interface TransactionSpec {
  id: string;
  customerId: string;
  subscriptionId?: string;
  amount: number;
  currency?: string;
  type?: 'payment' | 'refund';
  status?: string;
  date?: number;
  deleted?: boolean;
}

export function transactionEvent(spec: TransactionSpec): Record<string, unknown> {
  const transaction = {
    ...contentOf(samples.payment).transaction, id: spec.id, customer_id: spec.customerId, subscription_id: spec.subscriptionId ?? null,
    amount: spec.amount, currency_code: spec.currency ?? 'USD', type: spec.type ?? 'payment', status: spec.status ?? 'success',
    date: spec.date ?? 1_700_000_000, resource_version: nextVersion(), deleted: spec.deleted ?? false,
  };
  const type = spec.type === 'refund' ? 'payment_refunded' : 'payment_succeeded';
  return { ...samples.payment, id: eventId(), event_type: type, content: { transaction } };
}

/** Feeds events through the real apply path, as the webhook endpoint would. */
export async function ingest(sync: SyncDeps, ...events: Record<string, unknown>[]): Promise<IngestResult[]> {
  const results: IngestResult[] = [];
  for (const event of events) results.push(await ingestEvent(sync, parseEnvelope(event), event, 'webhook'));
  return results;
}

export interface SeededCustomer {
  id: string;
  subscriptionId: string;
}

/** A customer with one active subscription and one successful payment (for list and count tests). */
export async function seedCustomer(sync: SyncDeps, id: string, partnerKey: string | undefined, planId = 'basic-monthly'): Promise<SeededCustomer> {
  const subscriptionId = `sub_${id}`;
  await ingest(sync,
    customerEvent({ id, customerKey: `key_${id}`, partnerKey }),
    subscriptionEvent({ id: subscriptionId, customerId: id, planId }),
    transactionEvent({ id: `txn_${id}`, customerId: id, subscriptionId, amount: 1000 }));
  return { id, subscriptionId };
}
