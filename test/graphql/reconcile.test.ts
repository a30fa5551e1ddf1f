import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { startTestApp } from '../support/app.js';
import { startEmulator, type Emulator } from '../../src/chargebee/emulator/index.js';
import type { App } from '../../src/app.js';

const admin = 'reconcile-admin-token-001';
const reader = 'reconcile-reader-token-01';

describe.each(testDialects())('reconcile over GraphQL on %s', (dialect) => {
  let db: TestDatabase;
  let emu: Emulator;
  let app: App;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    emu = await startEmulator({ apiKey: 'gql_key' });
    app = await startTestApp(db, {
      API_TOKENS: `ops:admin:${admin},ui:reader:${reader}`,
      CHARGEBEE_SITE: 'test', CHARGEBEE_API_KEY: 'gql_key', CHARGEBEE_API_URL: emu.url, RECONCILE_IN_SERVER: 'false',
    });
    emu.plans.create({ id: 'basic-monthly', name: 'Basic', price: 1000, period: 1, period_unit: 'month', currency_code: 'USD' });
    emu.customers.create({ id: 'cust_1', email: 'one@example.com' });
    emu.subscriptions.create({ id: 'sub_1', customer_id: 'cust_1', plan_id: 'basic-monthly' });
  });
  afterAll(async () => {
    await app.close();
    await emu.close();
    await db.destroy();
  });

  async function gql<T>(query: string, token = admin): Promise<{ data: T; errors?: { message: string }[] }> {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data: T; errors?: { message: string }[] };
  }

  it('triggers a run, which repairs what webhooks never delivered, and lists its repairs', async () => {
    const started = await gql<{ triggerReconcile: { __typename: string; id: string; status: string; mode: string } }>(
      'mutation { triggerReconcile(mode: incremental) { __typename ... on ReconcileRun { id status mode } ... on Error { message } } }',
    );
    expect(started.data.triggerReconcile).toMatchObject({ __typename: 'ReconcileRun', mode: 'incremental' });
    const id = started.data.triggerReconcile.id;
    type RunView = { status: string; repairCounts: { name: string; count: number }[]; repairs: { totalCount: number; nodes: { entity: string; entityId: string; kind: string }[] } };
    let run: RunView | null = null;
    for (let i = 0; i < 100; i++) {
      const res = await gql<{ reconcileRun: RunView | null }>(`{ reconcileRun(id: "${id}") { status repairCounts { name count } repairs(first: 10) { totalCount nodes { entity entityId kind } } } }`);
      run = res.data.reconcileRun;
      if (run && run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(run?.status).toBe('succeeded');
    expect(run?.repairs.nodes).toEqual(expect.arrayContaining([
      { entity: 'customer', entityId: 'cust_1', kind: 'missing' },
      { entity: 'subscription', entityId: 'sub_1', kind: 'missing' },
    ]));
    const list = await gql<{ reconcileRuns: { totalCount: number; nodes: { id: string }[] } }>('{ reconcileRuns(first: 5) { totalCount nodes { id } } }', reader);
    expect(list.data.reconcileRuns.nodes[0]?.id).toBe(id);
    const status = await gql<{ syncStatus: { reconcilerEnabled: boolean; lastReconcileRun: { id: string }; failedEventCount: number } }>(
      '{ syncStatus { reconcilerEnabled failedEventCount lastReconcileRun { id } } }', reader,
    );
    expect(status.data.syncStatus).toEqual({ reconcilerEnabled: true, failedEventCount: 0, lastReconcileRun: { id } });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/chargebee_sync_reconcile_runs_total\{mode="incremental",status="succeeded"\} 1/);
    expect(metrics).toMatch(/chargebee_sync_reconcile_repairs_total\{kind="missing"\} [1-9]/);
  });

  it('lets readers read runs but not trigger them', async () => {
    const res = await gql<{ triggerReconcile: unknown }>('mutation { triggerReconcile(mode: full, dryRun: true) { __typename } }', reader);
    expect(res.errors?.[0]?.message).toMatch(/Not allowed/);
  });

  it('imports identity mappings for unmapped plans, re-mapping their subscriptions, and explains unknown ids', async () => {
    const unknown = await gql<{ importPlanMappings: { __typename: string; message: string } }>(
      'mutation { importPlanMappings(chargebeePlanIds: ["nope"]) { __typename ... on Error { message } } }',
    );
    expect(unknown.data.importPlanMappings).toMatchObject({ __typename: 'NotFoundError' });
    const res = await gql<{ importPlanMappings: { planMappings: { chargebeePlanId: string; planKey: string }[] } }>(
      'mutation { importPlanMappings(all: true) { ... on ImportPlanMappingsPayload { planMappings { chargebeePlanId planKey } } } }',
    );
    expect(res.data.importPlanMappings.planMappings).toEqual([{ chargebeePlanId: 'basic-monthly', planKey: 'basic-monthly' }]);
    const sub = await gql<{ subscriptions: { nodes: { planKey: string | null }[] } }>('{ subscriptions(first: 5) { nodes { planKey } } }');
    expect(sub.data.subscriptions.nodes).toEqual([{ planKey: 'basic-monthly' }]);
    const audit = await gql<{ auditLog: { nodes: { action: string }[] } }>('{ auditLog(first: 5) { nodes { action } } }');
    expect(audit.data.auditLog.nodes.map((n) => n.action)).toEqual(expect.arrayContaining(['plan_mapping.import', 'reconcile.trigger']));
  });
});

describe('reconcile over GraphQL without Chargebee credentials', () => {
  it('answers triggerReconcile with a typed, explained error', async () => {
    const db = await createTestDatabase('sqlite');
    const app = await startTestApp(db, { API_TOKENS: `ops:admin:${admin}` });
    try {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ query: 'mutation { triggerReconcile(mode: full) { __typename ... on Error { message } } }' }),
      });
      const body = (await res.json()) as { data: { triggerReconcile: { __typename: string; message: string } } };
      expect(body.data.triggerReconcile.__typename).toBe('ReconcilerDisabledError');
      expect(body.data.triggerReconcile.message).toMatch(/CHARGEBEE_SITE/);
    } finally {
      await app.close();
      await db.destroy();
    }
  });
});
