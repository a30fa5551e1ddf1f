import { randomUUID } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
// By file path, as src/graphql/graphql-js.ts explains: the same copy of graphql-js as the schema's.
import { getNamedType, isLeafType, isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType } from 'graphql/index.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { rows } from '../support/rows.js';
import {
  createClient, customerEvent, graphqlEnv, ingest, subscriptionEvent, transactionEvent, type Client, type GraphQLResponse,
} from './support.js';

/**
 * Reading only the selected columns (src/graphql/columns.ts): every field of Customer,
 * Subscription, Transaction and Partner, selected alone (and all scalars together) through every
 * way in, must answer without errors what it answers when the whole type is selected; and the
 * whole type, through every way in, what the by-id loaders answer, which read every column (a
 * record read with a selection throws when a resolver reads a column outside it, and a column
 * left out of a SELECT must not turn into null or another value). The fields and their
 * selections come from the schema, so a field added later is covered too.
 */

type Json = Record<string, unknown>;

/** Values for required arguments, by `Type.field` (none today). */
const requiredArgs: Record<string, string> = {};
/** Fields this test cannot select on its own, by `Type.field`, with the reason (none today). */
const skipped: Record<string, string> = {};
/** Optional arguments worth passing, by `Type.field`. */
const extraArgs: Record<string, string> = {
  'Customer.transactions': 'last: 5',
  'Partner.customers': 'first: 10, filter: { includeDeleted: true }',
};

const typeNames = ['Customer', 'Subscription', 'Transaction', 'Partner'] as const;
type TypeName = typeof typeNames[number];

function objectType(name: string): GraphQLObjectType {
  const type = schema.getType(name);
  if (!isObjectType(type)) throw new Error(`${name} is not an object type of the schema`);
  return type;
}

function argsOf(owner: string, field: GraphQLField<unknown, unknown>): string | null {
  const key = `${owner}.${field.name}`;
  const missing = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  if (missing.length > 0 && requiredArgs[key] === undefined) return null;
  const args = [requiredArgs[key], extraArgs[key]].filter((a) => a !== undefined);
  return args.length > 0 ? `(${args.join(', ')})` : '';
}

/**
 * What to select below an object-typed field: a node by `__typename id`; a value type (Money, a
 * connection, an edge, …) by all its fields, recursively, to a small depth.
 */
function subSelection(type: GraphQLObjectType, depth: number): string {
  const fields = type.getFields();
  if (fields.id !== undefined) return '{ __typename id }';
  const parts = ['__typename'];
  for (const field of Object.values(fields)) {
    const args = argsOf(type.name, field);
    if (args === null) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(`${field.name}${args}`);
    else if (isObjectType(named) && depth < 3) parts.push(`${field.name}${args} ${subSelection(named, depth + 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

interface FieldSelection {
  name: string;
  /** The field as selected on its own, with its arguments and sub-selection. */
  text: string;
  leaf: boolean;
}

function fieldsOf(typeName: TypeName): { fields: FieldSelection[]; unselectable: string[] } {
  const fields: FieldSelection[] = [];
  const unselectable: string[] = [];
  for (const field of Object.values(objectType(typeName).getFields())) {
    const key = `${typeName}.${field.name}`;
    if (skipped[key] !== undefined) continue;
    const args = argsOf(typeName, field);
    if (args === null) {
      unselectable.push(`${key} has required arguments: give values in requiredArgs or a reason in skipped`);
      continue;
    }
    const named = getNamedType(field.type);
    if (isLeafType(named)) fields.push({ name: field.name, text: `${field.name}${args}`, leaf: true });
    else if (isObjectType(named)) fields.push({ name: field.name, text: `${field.name}${args} ${subSelection(named, 1)}`, leaf: false });
    else unselectable.push(`${key}: a field of type ${named.name} (neither leaf nor object) is not handled by this test`);
  }
  return { fields, unselectable };
}

/** The values at `path` below `data`; `*` flattens a list, a null on the way ends the path. */
function pick(data: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return [data];
  if (data === null || data === undefined) return [];
  const [head, ...rest] = path;
  if (head === '*') return (data as unknown[]).flatMap((item) => pick(item, rest));
  return pick((data as Json)[head as string], rest);
}

/** A way in: an operation around a selection set of the type, and where the type's objects are in its answer. */
interface Route {
  name: string;
  document: (selection: string) => string;
  objects: (data: Json) => unknown[];
}

const at = (name: string, document: (selection: string) => string, path: string): Route => ({
  name, document, objects: (data) => pick(data, path.split('.')),
});
/**
 * One aliased root field per argument value, e.g. `customer(id: …)` for several ids; `wrap` and
 * `below` (a path as for `at`) when the type's objects are further down.
 */
const each = (name: string, values: readonly string[], field: (value: string) => string, wrap = (s: string) => s, below = ''): Route => ({
  name,
  document: (selection) => `{ ${values.map((v, i) => `a${i}: ${field(v)} { ${wrap(selection)} }`).join(' ')} }`,
  objects: (data) => values.flatMap((_, i) => (below === '' ? [data[`a${i}`]] : pick(data[`a${i}`], below.split('.')))),
});

const allCustomers = 'first: 20, filter: { includeDeleted: true }';
const allSubscriptions = 'first: 20, filter: { includeDeleted: true }';
const allTransactions = 'first: 20, filter: { includeDeleted: true }';

const customerIds = ['cus_a', 'cus_b', 'cus_c', 'cus_d', 'cus_e'];
const subscriptionIds = ['sub_a1', 'sub_a2', 'sub_b1', 'sub_c1', 'sub_d1', 'sub_d2', 'sub_ghost'];
const transactionIds = ['txn_a1', 'txn_a2', 'txn_a3', 'txn_a4', 'txn_c1', 'txn_e1', 'txn_ghost'];
const partnerKeys = ['acme', 'zeta', 'gone'];
const quoted = (s: string) => JSON.stringify(s);

function routes(typeName: TypeName): Route[] {
  switch (typeName) {
    case 'Customer': return [
      at('customers.nodes', (s) => `{ customers(${allCustomers}) { nodes { ${s} } } }`, 'customers.nodes.*'),
      at('customers.edges.node', (s) => `{ customers(${allCustomers}) { edges { cursor node { ${s} } } } }`, 'customers.edges.*.node'),
      at('customers.nodes (named fragment)', (s) => `{ customers(${allCustomers}) { ...Page } } fragment Page on QueryCustomersConnection { nodes { ...F } } fragment F on Customer { ${s} }`, 'customers.nodes.*'),
      at('customers.edges.node (inline fragment)', (s) => `{ customers(${allCustomers}) { edges { node { ... on Customer { ${s} } } } } }`, 'customers.edges.*.node'),
      at('customers (filtered by partner, one page of two)', (s) => `{ customers(first: 2, filter: { partnerKey: "acme", includeDeleted: true }) { nodes { ${s} } } }`, 'customers.nodes.*'),
      each('customer(id:)', customerIds, (id) => `customer(id: ${quoted(encodeGlobalID('Customer', id))})`),
      each('node(id:)', customerIds, (id) => `node(id: ${quoted(encodeGlobalID('Customer', id))})`, (s) => `... on Customer { ${s} }`),
      at('subscriptions.nodes.customer', (s) => `{ subscriptions(${allSubscriptions}) { nodes { customer { ${s} } } } }`, 'subscriptions.nodes.*.customer'),
      at('transactions.nodes.customer', (s) => `{ transactions(${allTransactions}) { nodes { customer { ${s} } } } }`, 'transactions.nodes.*.customer'),
      at('customers.nodes.subscriptions.customer', (s) => `{ customers(${allCustomers}) { nodes { subscriptions { customer { ${s} } } } } }`, 'customers.nodes.*.subscriptions.*.customer'),
      at('partners.nodes.customers.nodes', (s) => `{ partners(first: 10) { nodes { customers(${allCustomers}) { nodes { ${s} } } } } }`, 'partners.nodes.*.customers.nodes.*'),
      each('partner(partnerKey:).customers.edges.node', partnerKeys, (key) => `partner(partnerKey: ${quoted(key)})`,
        (s) => `customers(${allCustomers}) { edges { node { ${s} } } }`, 'customers.edges.*.node'),
    ];
    case 'Subscription': return [
      at('subscriptions.nodes', (s) => `{ subscriptions(${allSubscriptions}) { nodes { ${s} } } }`, 'subscriptions.nodes.*'),
      at('subscriptions.edges.node', (s) => `{ subscriptions(${allSubscriptions}) { edges { node { ${s} } } } }`, 'subscriptions.edges.*.node'),
      at('subscriptions.nodes (named fragment)', (s) => `{ subscriptions(${allSubscriptions}) { nodes { ...F } } } fragment F on Subscription { ${s} }`, 'subscriptions.nodes.*'),
      at('subscriptions (unmapped, page of two)', (s) => `{ subscriptions(first: 2, filter: { unmapped: true }) { edges { node { ${s} } } } }`, 'subscriptions.edges.*.node'),
      each('subscription(id:)', subscriptionIds, (id) => `subscription(id: ${quoted(encodeGlobalID('Subscription', id))})`),
      each('node(id:)', subscriptionIds, (id) => `node(id: ${quoted(encodeGlobalID('Subscription', id))})`, (s) => `... on Subscription { ${s} }`),
      at('customers.nodes.subscriptions', (s) => `{ customers(${allCustomers}) { nodes { subscriptions { ${s} } } } }`, 'customers.nodes.*.subscriptions.*'),
      at('customers.edges.node.subscriptions (inline fragment)', (s) => `{ customers(${allCustomers}) { edges { node { subscriptions { ... on Subscription { ${s} } } } } } }`, 'customers.edges.*.node.subscriptions.*'),
      each('customer(id:).subscriptions', customerIds, (id) => `customer(id: ${quoted(encodeGlobalID('Customer', id))})`, (s) => `subscriptions { ${s} }`, 'subscriptions.*'),
      at('subscriptions.nodes.customer.subscriptions', (s) => `{ subscriptions(${allSubscriptions}) { nodes { customer { subscriptions { ${s} } } } } }`, 'subscriptions.nodes.*.customer.subscriptions.*'),
      at('transactions.nodes.customer.subscriptions', (s) => `{ transactions(${allTransactions}) { nodes { customer { subscriptions { ${s} } } } } }`, 'transactions.nodes.*.customer.subscriptions.*'),
      at('transactions.nodes.subscription', (s) => `{ transactions(${allTransactions}) { nodes { subscription { ${s} } } } }`, 'transactions.nodes.*.subscription'),
      at('partners.nodes.customers.nodes.subscriptions', (s) => `{ partners(first: 10) { nodes { customers(${allCustomers}) { nodes { subscriptions { ${s} } } } } } }`, 'partners.nodes.*.customers.nodes.*.subscriptions.*'),
    ];
    case 'Transaction': return [
      at('transactions.nodes', (s) => `{ transactions(${allTransactions}) { nodes { ${s} } } }`, 'transactions.nodes.*'),
      at('transactions.edges.node', (s) => `{ transactions(${allTransactions}) { edges { node { ${s} } } } }`, 'transactions.edges.*.node'),
      each('transaction(id:)', transactionIds, (id) => `transaction(id: ${quoted(encodeGlobalID('Transaction', id))})`),
      each('node(id:)', transactionIds, (id) => `node(id: ${quoted(encodeGlobalID('Transaction', id))})`, (s) => `... on Transaction { ${s} }`),
      at('customers.nodes.transactions', (s) => `{ customers(${allCustomers}) { nodes { transactions(last: 10) { ${s} } } } }`, 'customers.nodes.*.transactions.*'),
      at('subscriptions.nodes.customer.transactions', (s) => `{ subscriptions(${allSubscriptions}) { nodes { customer { transactions { ${s} } } } } }`, 'subscriptions.nodes.*.customer.transactions.*'),
    ];
    case 'Partner': return [
      at('partners.nodes', (s) => `{ partners(first: 10) { nodes { ${s} } } }`, 'partners.nodes.*'),
      at('partners.edges.node', (s) => `{ partners(first: 10) { edges { node { ${s} } } } }`, 'partners.edges.*.node'),
      each('partner(partnerKey:)', partnerKeys, (key) => `partner(partnerKey: ${quoted(key)})`),
      each('node(id:)', partnerKeys, (key) => `node(id: ${quoted(encodeGlobalID('Partner', key))})`, (s) => `... on Partner { ${s} }`),
      at('customers.nodes.partner', (s) => `{ customers(${allCustomers}) { nodes { partner { ${s} } } } }`, 'customers.nodes.*.partner'),
      at('transactions.nodes.customer.partner', (s) => `{ transactions(${allTransactions}) { nodes { customer { partner { ${s} } } } } }`, 'transactions.nodes.*.customer.partner'),
    ];
  }
}

/** Seconds since the epoch, for Chargebee-shaped timestamps. */
const unix = (iso: string) => Date.parse(iso) / 1000;

/** An event built by support.ts with more attributes on its resource. */
function withMore(event: Json, resource: string, more: Json): Json {
  const content = event.content as Record<string, Json>;
  return { ...event, content: { ...content, [resource]: { ...content[resource], ...more } } };
}

async function seed(db: TestDatabase): Promise<void> {
  const now = new Date();
  // Mapped before the subscriptions arrive: the apply path fills plan_key from it.
  await db.sync.knex('plan_mapping').insert([
    { chargebee_plan_id: 'pro-monthly', plan_key: 'pro', created_at: now, updated_at: now },
    { chargebee_plan_id: 'team-yearly', plan_key: 'team', created_at: now, updated_at: now },
  ]);
  const names = (first: string, last: string) => ({ first_name: first, last_name: last, created_at: unix('2023-01-02T03:04:05Z'), updated_at: unix('2023-06-07T08:09:10Z') });
  const term = { started_at: unix('2023-02-01T00:00:00Z'), current_term_start: unix('2024-02-01T00:00:00Z'), current_term_end: unix('2024-03-01T00:00:00Z'), created_at: unix('2023-01-20T00:00:00Z'), updated_at: unix('2024-02-01T12:00:00Z') };
  await ingest(db.sync,
    // cus_a (acme): an active mapped subscription with MRR, a cancelled unmapped one; USD and EUR payments, a refund of the first, a failure.
    withMore(customerEvent({ id: 'cus_a', customerKey: 'u-a', partnerKey: 'acme', email: 'Ada@Example.com', company: 'Analytical Ltd' }), 'customer', names('Ada', 'Lovelace')),
    withMore(subscriptionEvent({ id: 'sub_a1', customerId: 'cus_a', planId: 'pro-monthly', status: 'active', amount: 5000 }), 'subscription',
      { ...term, mrr: 5000, plan_quantity: 2, billing_period: 1, billing_period_unit: 'month' }),
    withMore(subscriptionEvent({ id: 'sub_a2', customerId: 'cus_a', planId: 'legacy-plan', status: 'cancelled', amount: 700, currency: 'EUR' }), 'subscription',
      { ...term, mrr: 0, cancelled_at: unix('2023-12-31T23:59:59Z'), billing_period: 3, billing_period_unit: 'week' }),
    withMore(transactionEvent({ id: 'txn_a1', customerId: 'cus_a', subscriptionId: 'sub_a1', amount: 5000, date: unix('2024-02-01T00:00:10Z') }), 'transaction',
      { linked_invoices: [{ invoice_id: 'inv_a1', applied_amount: 5000 }, { invoice_id: 'inv_a1b', applied_amount: 0 }] }),
    withMore(transactionEvent({ id: 'txn_a2', customerId: 'cus_a', amount: 3000, currency: 'EUR', date: unix('2024-02-02T00:00:00Z') }), 'transaction',
      { base_currency_code: 'USD', exchange_rate: 1.0825 }),
    withMore(transactionEvent({ id: 'txn_a3', customerId: 'cus_a', subscriptionId: 'sub_a1', amount: 1200, type: 'refund', date: unix('2024-02-03T00:00:00Z') }), 'transaction',
      { refunded_txn_id: 'txn_a1', linked_invoices: [] }),
    transactionEvent({ id: 'txn_a4', customerId: 'cus_a', amount: 9999, status: 'failure', date: unix('2024-02-04T00:00:00Z') }),
    // cus_b (acme): in trial on a mapped plan, no transactions.
    withMore(customerEvent({ id: 'cus_b', customerKey: 'u-b', partnerKey: 'acme' }), 'customer', names('Bo', 'Bell')),
    withMore(subscriptionEvent({ id: 'sub_b1', customerId: 'cus_b', planId: 'team-yearly', status: 'in_trial', amount: 120000 }), 'subscription',
      { trial_start: unix('2024-01-01T00:00:00Z'), trial_end: unix('2024-01-15T00:00:00Z'), mrr: 0 }),
    // cus_c: first acme, then zeta (attribution history); non_renewing.
    customerEvent({ id: 'cus_c', customerKey: 'u-c', partnerKey: 'acme' }),
    withMore(customerEvent({ id: 'cus_c', customerKey: 'u-c2', partnerKey: 'zeta', email: 'carol@example.com' }), 'customer', names('Carol', 'Crane')),
    withMore(subscriptionEvent({ id: 'sub_c1', customerId: 'cus_c', planId: 'pro-monthly', status: 'non_renewing', amount: 2500 }), 'subscription', { ...term, mrr: 2500 }),
    transactionEvent({ id: 'txn_c1', customerId: 'cus_c', subscriptionId: 'sub_c1', amount: 2500, date: unix('2024-03-01T00:00:00Z') }),
    // cus_d: no partner, no customer key; a paused subscription and a deleted one.
    customerEvent({ id: 'cus_d', email: 'dee@example.com' }),
    subscriptionEvent({ id: 'sub_d1', customerId: 'cus_d', planId: 'pro-monthly', status: 'paused' }),
    withMore(subscriptionEvent({ id: 'sub_d2', customerId: 'cus_d', planId: 'legacy-plan', status: 'cancelled' }), 'subscription', { deleted: true }),
    // cus_e (partner gone): deleted in Chargebee, after a payment.
    customerEvent({ id: 'cus_e', customerKey: 'u-e', partnerKey: 'gone' }),
    transactionEvent({ id: 'txn_e1', customerId: 'cus_e', amount: 400, date: unix('2024-01-05T00:00:00Z') }),
    customerEvent({ id: 'cus_e', customerKey: 'u-e', partnerKey: 'gone', deleted: true }),
    // A subscription and a (deleted) transaction whose customer never arrived.
    subscriptionEvent({ id: 'sub_ghost', customerId: 'cus_ghost', planId: 'pro-monthly', status: 'future' }),
    transactionEvent({ id: 'txn_ghost', customerId: 'cus_ghost', amount: 100, deleted: true }));
}

/** The by-id way in of each type: its loader reads every column, so it answers independently of the selections. */
const baselineRoutes: Record<TypeName, string> = {
  Customer: 'customer(id:)', Subscription: 'subscription(id:)', Transaction: 'transaction(id:)', Partner: 'partner(partnerKey:)',
};
const identity = (object: Json) => String(object.chargebeeId ?? object.partnerKey);

const valuesDiffer = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);

/** The errors of an answer, one line per message, with the logged cause of masked ones (`Unexpected error (request id …)`). */
function errorsOf(response: GraphQLResponse<Json>, logged: readonly string[]): string[] {
  const byMessage = new Map<string, string[]>();
  for (const error of response.errors ?? []) {
    const paths = byMessage.get(error.message) ?? [];
    paths.push((error.path ?? []).join('.'));
    byMessage.set(error.message, paths);
  }
  const causes = [...new Set(logged)];
  return [...byMessage].map(([message, paths]) => `${message}${message.startsWith('Unexpected error') && causes.length > 0 ? ` [logged: ${causes.join(' | ')}]` : ''}`
    + ` at ${paths[0] ?? ''}${paths.length > 1 ? ` and ${paths.length - 1} more` : ''}`);
}

describe.each(testDialects())('each field alone reads the columns it needs (%s)', (dialect) => {
  let db: TestDatabase;
  let client: Client;
  /** Messages of the errors the endpoint logged (and masked), by request id. */
  const logged = new Map<string, string[]>();
  const logger = pino({ level: 'error' }, {
    write(line: string) {
      const entry = JSON.parse(line) as { requestId?: string; error?: { message?: string } };
      if (entry.requestId !== undefined) logged.set(entry.requestId, [...logged.get(entry.requestId) ?? [], entry.error?.message ?? line]);
    },
  });

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    client = createClient(db.sync, graphqlEnv({ GRAPHQL_MAX_COMPLEXITY: 1_000_000, GRAPHQL_MAX_DEPTH: 20 }), logger);
    await seed(db);
  });
  afterAll(() => db.destroy());

  async function run(document: string): Promise<{ data: Json | null; errors: string[] }> {
    const requestId = randomUUID();
    const response = await client.query<Json>(document, {}, { requestId });
    const errors = errorsOf(response, logged.get(requestId) ?? []);
    logged.delete(requestId);
    return { data: response.data ?? null, errors };
  }

  /** The objects of the type at a route, all fields selected; fails on errors. */
  async function reference(typeName: TypeName, route: Route): Promise<Json[]> {
    const all = ['__typename', ...fieldsOf(typeName).fields.map((f) => f.text)].join(' ');
    const { data, errors } = await run(route.document(all));
    expect(errors, `${typeName} via ${route.name}, all fields`).toEqual([]);
    const objects = route.objects(data ?? {}) as (Json | null)[];
    // Guards the routes' paths: each object found there is one of the type.
    for (const object of objects) if (object !== null) expect(object.__typename, `${typeName} via ${route.name}`).toBe(typeName);
    return objects as Json[];
  }

  it('selects every field of the four types (none needs arguments this test lacks)', () => {
    for (const typeName of typeNames) expect(fieldsOf(typeName).unselectable).toEqual([]);
  });

  it.each(typeNames)('%s: each field alone, and all scalars at once, answer as every field selected does, through every way in', async (typeName) => {
    const { fields } = fieldsOf(typeName);
    const problems: string[] = [];
    const seen = new Map<string, boolean>(fields.map((f) => [f.name, false]));
    // The independent answer: by id, through loaders that read every column (`select *`).
    const byId = routes(typeName).find((r) => r.name === baselineRoutes[typeName]);
    if (byId === undefined) throw new Error(`no route ${baselineRoutes[typeName]}`);
    const baseline = new Map((await reference(typeName, byId)).map((o) => [identity(o), o]));
    for (const route of routes(typeName)) {
      const expected = await reference(typeName, route);
      expect(expected.filter((o) => o !== null).length, `${route.name} finds ${typeName} objects`).toBeGreaterThan(0);
      for (const object of expected) {
        if (object === null) continue;
        const whole = baseline.get(identity(object));
        for (const f of fields) {
          const value = object[f.name];
          if (value !== null && !(Array.isArray(value) && value.length === 0)) seen.set(f.name, true);
          if (whole === undefined || valuesDiffer(value, whole[f.name])) {
            problems.push(`${typeName} via ${route.name}, every field selected: ${identity(object)}.${f.name} is ${JSON.stringify(value)}, ${JSON.stringify(whole?.[f.name])} via ${byId.name}`);
          }
        }
      }
      const variants: { label: string; names: string[]; text: string }[] = [
        { label: 'all scalar fields', names: fields.filter((f) => f.leaf).map((f) => f.name), text: fields.filter((f) => f.leaf).map((f) => f.text).join(' ') },
        ...fields.map((f) => ({ label: f.name, names: [f.name], text: f.text })),
      ];
      // Separate requests (one selection each), sent together: a few seconds in all on either engine.
      const answers = await Promise.all(variants.map((variant) => run(route.document(variant.text))));
      for (const [index, variant] of variants.entries()) {
        const { data, errors } = answers[index] ?? { data: null, errors: ['no answer'] };
        const where = `${typeName} via ${route.name}, selecting ${variant.label}`;
        if (errors.length > 0) {
          problems.push(`${where}: ${errors.join('; ')}`);
          continue;
        }
        const actual = route.objects(data ?? {}) as (Json | null)[];
        if (actual.length !== expected.length) {
          problems.push(`${where}: ${actual.length} objects, ${expected.length} with every field selected`);
          continue;
        }
        actual.forEach((object, i) => {
          const whole = expected[i] ?? null;
          if (object === null || whole === null) {
            if (object !== whole) problems.push(`${where}: object ${i} is ${JSON.stringify(object)}, ${JSON.stringify(whole)} with every field selected`);
            return;
          }
          for (const name of variant.names) {
            if (valuesDiffer(object[name], whole[name])) {
              problems.push(`${where}: ${identity(whole)}.${name} is ${JSON.stringify(object[name])}, ${JSON.stringify(whole[name])} with every field selected`);
            }
          }
        });
      }
    }
    expect(problems).toEqual([]);
    // The seed gives every field a value (not null, not empty) somewhere, so a dropped column would show.
    expect([...seen].filter(([, any]) => !any).map(([name]) => `${typeName}.${name} is null or empty everywhere: seed a value`)).toEqual([]);
  });

  it('exercises the selective reads: the pages and loaders under test select named columns, not *', async () => {
    const statements: string[] = [];
    const listener = (query: { sql: string }) => statements.push(query.sql.replace(/[`"]/g, ''));
    db.sync.knex.on('query', listener);
    try {
      const { errors } = await run(`{
        customers(first: 20) { nodes { email subscriptions { status customer { firstName } } } }
        subscriptions(first: 20) { edges { node { planKey } } }
        transactions(first: 20) { nodes { customer { company subscriptions { status } } } }
      }`);
      expect(errors).toEqual([]);
    } finally {
      db.sync.knex.removeListener('query', listener);
    }
    const reads = statements.filter((sql) => /^select (?!count)/i.test(sql) && /from (customer|subscription)\b/.test(sql));
    expect(reads.filter((sql) => sql.includes('*')), 'statements reading every column').toEqual([]);
    // The customers page reads its subscriptions in the same statement (embedded), with the columns they need.
    expect(reads.some((sql) => /^select c\.id, c\.email, \(select .*\bembedded_s\.id, embedded_s\.customer_id, embedded_s\.status\).* from subscription embedded_s .*\bfrom customer as c\b/.test(sql)), reads.join('\n')).toBe(true);
    expect(reads.some((sql) => /^select s\.id, s\.plan_key from subscription as s\b/.test(sql)), reads.join('\n')).toBe(true);
    expect(reads.some((sql) => /^select id, customer_id, status from subscription\b/.test(sql)), reads.join('\n')).toBe(true);
    expect(reads.some((sql) => /^select id, first_name from customer\b/.test(sql)), reads.join('\n')).toBe(true);
    expect(reads.some((sql) => /^select id, company from customer\b/.test(sql)), reads.join('\n')).toBe(true);
  });

  it('answers what the tables hold (select *), field by field, through the selective pages and loaders', async () => {
    const customers = new Map((await rows(db, 'customer')).map((r) => [r.id, r]));
    const subscriptions = new Map((await rows(db, 'subscription')).map((r) => [r.id, r]));
    const transactions = new Map((await rows(db, 'billing_transaction')).map((r) => [r.id, r]));
    const time = (v: unknown) => (v === null || v === undefined ? null : new Date(v as number).toISOString());
    const problems: string[] = [];
    const check = (where: string, actual: unknown, expected: unknown) => {
      if (valuesDiffer(actual, expected)) problems.push(`${where}: ${JSON.stringify(actual)}, the table holds ${JSON.stringify(expected)}`);
    };

    const customerFields: [string, (row: Json) => unknown][] = [
      ['email', (r) => r.email], ['customerKey', (r) => r.customer_key], ['partnerKey', (r) => r.partner_key], ['firstName', (r) => r.first_name],
      ['deleted', (r) => r.deleted], ['createdAt', (r) => time(r.chargebee_created_at)], ['syncedBy', (r) => r.synced_by],
    ];
    const customerRoutes = routes('Customer').filter((r) => ['customers.nodes', 'subscriptions.nodes.customer', 'transactions.nodes.customer', 'partners.nodes.customers.nodes'].includes(r.name));
    for (const route of customerRoutes) {
      for (const [field, expected] of customerFields) {
        const { data, errors } = await run(route.document(`chargebeeId ${field}`));
        if (errors.length > 0) problems.push(`Customer via ${route.name}, ${field}: ${errors.join('; ')}`);
        for (const c of route.objects(data ?? {}) as (Json | null)[]) {
          if (c !== null) check(`Customer via ${route.name}: ${String(c.chargebeeId)}.${field}`, c[field], expected(customers.get(c.chargebeeId) ?? {}));
        }
      }
    }

    const money = (amount: unknown, currency: unknown) => (amount === null ? null : { amount, currency });
    const subscriptionFields: [string, string, (row: Json) => unknown][] = [
      ['status', 'status', (r) => r.status], ['planKey', 'planKey', (r) => r.plan_key], ['chargebeePlanId', 'chargebeePlanId', (r) => r.chargebee_plan_id],
      ['mrr', 'mrr { amount currency }', (r) => money(r.mrr, r.currency)], ['planAmount', 'planAmount { amount currency }', (r) => money(r.plan_amount, r.currency)],
      ['chargebeeCustomerId', 'chargebeeCustomerId', (r) => r.customer_id], ['trialEnd', 'trialEnd', (r) => time(r.trial_end)],
      ['cancelledAt', 'cancelledAt', (r) => time(r.cancelled_at)], ['deleted', 'deleted', (r) => r.deleted],
    ];
    const subscriptionRoutes = routes('Subscription').filter((r) => ['subscriptions.nodes', 'customers.nodes.subscriptions', 'partners.nodes.customers.nodes.subscriptions'].includes(r.name));
    for (const route of subscriptionRoutes) {
      for (const [field, selection, expected] of subscriptionFields) {
        const { data, errors } = await run(route.document(`chargebeeId ${selection}`));
        if (errors.length > 0) problems.push(`Subscription via ${route.name}, ${field}: ${errors.join('; ')}`);
        for (const s of route.objects(data ?? {}) as Json[]) check(`Subscription via ${route.name}: ${String(s.chargebeeId)}.${field}`, s[field], expected(subscriptions.get(s.chargebeeId) ?? {}));
      }
    }

    const { data, errors } = await run(`{ transactions(${allTransactions}) { nodes { chargebeeId type status amount { amount currency } refundedTransactionId } } }`);
    expect(errors).toEqual([]);
    for (const t of pick(data, ['transactions', 'nodes', '*']) as Json[]) {
      const row = transactions.get(t.chargebeeId) ?? {};
      check(`Transaction ${String(t.chargebeeId)}`, [t.type, t.status, t.amount, t.refundedTransactionId], [row.type, row.status, money(row.amount, row.currency), row.refunded_txn_id]);
    }

    expect(problems).toEqual([]);
    // The seed is what the assertions above rely on: mapped and unmapped plans, a deleted customer, refunds.
    expect([...subscriptions.values()].map((s) => s.plan_key)).toEqual(expect.arrayContaining(['pro', 'team', null]));
    expect([...customers.values()].some((c) => c.deleted === true)).toBe(true);
    expect([...transactions.values()].some((t) => t.type === 'refund')).toBe(true);
  });
});
