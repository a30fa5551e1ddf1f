import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { startEmulator, type Emulator } from '../chargebee/emulator/index.js';
import { loadEnv } from '../config/env.js';
import { startApp, type App } from '../app.js';
import { triggerReconcile } from '../reconcile/service.js';
import type { RunSummary } from '../reconcile/types.js';
import { demoMappings, demoSignups, seedDemo } from './scenario.js';

export interface DemoOptions {
  port: number;
  databasePath: string;
  print: (line: string) => void;
}

export interface DemoResult {
  app: App;
  emulator: Emulator;
  delivered: { events: number; dropped: number; duplicated: number };
  afterWebhooks: Counts;
  afterReconcile: Counts;
  chargebee: Counts;
  run: RunSummary;
  close(): Promise<void>;
}

export interface Counts {
  customers: number;
  subscriptions: number;
  transactions: number;
}

const webhookAuth = { username: 'chargebee', password: 'demo-webhook-password' };

async function localCounts(app: App): Promise<Counts> {
  const knex = app.sync.knex;
  const n = async (table: string) => Number(((await knex(table).count({ n: '*' }))[0] as { n: number | string }).n);
  return { customers: await n('customer'), subscriptions: await n('subscription'), transactions: await n('billing_transaction') };
}

async function graphql(app: App, query: string, variables: Record<string, unknown> = {}): Promise<unknown> {
  // No API_TOKENS in the demo: loopback callers are admins (development mode).
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data;
}

const recordSignup = `mutation ($input: RecordSignupInput!) { recordSignup(input: $input) { __typename } }`;

/**
 * The one-command demo: the service on SQLite with the emulator as its Chargebee; webhooks delivered
 * with some dropped, duplicated and reordered; then a reconcile that repairs what was dropped.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { print } = options;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${options.databasePath}${suffix}`, { force: true });
  const emulator = await startEmulator({ apiKey: 'demo_api_key', site: 'demo' });
  let app: App;
  try {
    app = await startApp({
      env: loadEnv({
        PORT: String(options.port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${options.databasePath}`,
        CHARGEBEE_WEBHOOK_USERNAME: webhookAuth.username, CHARGEBEE_WEBHOOK_PASSWORD: webhookAuth.password,
        CHARGEBEE_SITE: 'demo', CHARGEBEE_API_KEY: 'demo_api_key', CHARGEBEE_API_URL: emulator.url,
        CHARGEBEE_RATE_LIMIT_PER_MIN: '600', RECONCILE_IN_SERVER: 'false', LOG_LEVEL: 'warn',
      }),
      logger: pino({ level: 'warn' }),
    });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const close = async () => {
    await app.close();
    await emulator.close();
  };
  try {
    print(`chargebee-sync demo — service ${app.url}, Chargebee emulator ${emulator.url}`);
    await graphql(app, `mutation ($input: UpsertPlanMappingsInput!) { upsertPlanMappings(input: $input) { __typename } }`, { input: { mappings: demoMappings } });
    for (const signup of demoSignups.slice(0, 2)) await graphql(app, recordSignup, { input: signup });
    print(`• mapped ${demoMappings.length} Chargebee plans, recorded ${demoSignups.length - 1} referred signups`);

    seedDemo(emulator);
    const report = await emulator.deliver({
      url: `${app.url}/webhooks/chargebee`, ...webhookAuth, drop: 0.2, duplicate: 0.15, reorder: true, seed: 7, concurrency: 4,
    });
    const delivered = { events: report.selected, dropped: report.dropped.length, duplicated: report.duplicated.length };
    print(`• Chargebee emitted ${delivered.events} events; delivered them reordered, ${delivered.duplicated} twice, ${delivered.dropped} never`);
    const afterWebhooks = await localCounts(app);
    const chargebee: Counts = { customers: emulator.customers.count(), subscriptions: emulator.subscriptions.count(), transactions: emulator.transactions.count() };
    print(`• after webhooks: ${afterWebhooks.customers}/${chargebee.customers} customers, ${afterWebhooks.subscriptions}/${chargebee.subscriptions} subscriptions, ${afterWebhooks.transactions}/${chargebee.transactions} transactions`);

    await graphql(app, recordSignup, { input: demoSignups[2] });
    print('• recorded a signup after its customer arrived: the customer is attributed all the same');

    if (!app.reconciler) throw new Error('the reconciler is not configured');
    const run = await triggerReconcile(app.reconciler, { mode: 'incremental', trigger: 'demo', wait: true });
    const afterReconcile = await localCounts(app);
    const repairs = Object.entries(run.repairs).map(([kind, n]) => `${n} ${kind}`).join(', ') || 'none';
    print(`• reconcile run ${run.id} (${run.mode}, ${run.status}): ${run.apiCalls} API calls, repairs: ${repairs}`);
    print(`• after reconcile: ${afterReconcile.customers}/${chargebee.customers} customers, ${afterReconcile.subscriptions}/${chargebee.subscriptions} subscriptions, ${afterReconcile.transactions}/${chargebee.transactions} transactions`);
    return { app, emulator, delivered, afterWebhooks, afterReconcile, chargebee, run, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export function demoQueries(url: string): string {
  return `
Open GraphiQL at ${url}/graphql and try:

  # partners with their customers and revenue
  { partners { nodes { partnerKey customerCount activeSubscriptionCount netRevenue { currency amount } } } }

  # Chargebee plans without a mapping
  { unmappedPlans { chargebeePlanId subscriptionCount } }

  # what the last reconcile repaired
  { reconcileRuns(first: 1) { nodes { runId mode status repairs(first: 20) { nodes { entity entityId kind versionBefore versionAfter } } } } }

Press Ctrl-C to stop.`;
}
