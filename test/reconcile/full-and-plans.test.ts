import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/chargebee/emulator/index.js';
import { runReconcile } from '../../src/reconcile/reconciler.js';
import { importPlanMappings, reconcileStatus } from '../../src/reconcile/service.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { depsFor, emulator, repairsOf, rowsById, snapshotData, ran } from './helpers.js';

describe.each(testDialects())('full, plans and dry runs (%s)', (dialect) => {
  let db: TestDatabase;
  let emu: Emulator;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    emu = await emulator();
  });
  afterAll(async () => {
    await emu.close();
    await db.destroy();
  });
  beforeEach(async () => {
    await db.reset();
    emu.reset();
  });

  it('tombstones rows Chargebee no longer has, in full runs only', async () => {
    emu.seed({ customers: 30, transactionsPerSubscription: 1, statuses: { active: 1, cancelled: 1 } });
    const deps = depsFor(db, emu, { settings: { pageSize: 7 } });
    const first = ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    expect(first.status).toBe('succeeded');
    expect(first.scanned).toEqual({ customer: 30, subscription: 30, transaction: 30 });
    expect((await rowsById(db, 'subscription')).size).toBe(30);
    const cancelled = [...(await rowsById(db, 'subscription')).values()].filter((s) => s.row.status === 'cancelled');
    expect(cancelled.length).toBeGreaterThan(0);

    const gone = emu.customers.all()[3];
    const goneSub = emu.subscriptions.all().find((s) => s.customer_id === gone.id);
    emu.customers.purge(gone.id);
    if (goneSub) emu.subscriptions.purge(goneSub.id);
    const incremental = ran(await runReconcile(deps, { mode: 'incremental', trigger: 'test', since: new Date(0) }));
    expect(incremental.status).toBe('succeeded');
    expect((await rowsById(db, 'customer')).get(gone.id)?.deleted).toBe(false);

    const full = ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    expect(full.status).toBe('succeeded');
    expect((await rowsById(db, 'customer')).get(gone.id)?.deleted).toBe(true);
    expect((await rowsById(db, 'customer')).get(emu.customers.all()[0].id)?.deleted).toBe(false);
    const repairs = await repairsOf(db, full.id);
    expect(repairs.filter((r) => r.kind === 'deleted_upstream').map((r) => r.entity_id).sort()).toEqual([gone.id, goneSub?.id].sort());
    expect(await db.sync.knex('reconcile_seen').count({ n: '*' })).toMatchObject([{ n: expect.anything() }]);
    expect(Number((await db.sync.knex('reconcile_seen').count({ n: '*' }))[0]?.n)).toBe(0);
  });

  it('commits several pages together: batches over 500 records, repairs the first time, only seen rows the second', async () => {
    emu.seed({ customers: 620 });
    const deps = depsFor(db, emu, { settings: { pageSize: 100, pagesPerCommit: 10 } });
    const first = ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    expect(first).toMatchObject({ status: 'succeeded', scanned: { customer: 620, subscription: 620 }, repairs: { missing: 1240 } });
    expect(first.apiCalls).toBe(7 + 7 + 1);
    const gone = emu.customers.all()[5].id;
    emu.customers.purge(gone);
    emu.clock.advance(60_000);
    const changed = emu.customers.all()[600].id;
    emu.customers.update(changed, { first_name: 'Changed' }, { silent: true });
    const second = ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    expect(second).toMatchObject({ status: 'succeeded', repairs: { stale: 1, deleted_upstream: 1 } });
    const customers = await rowsById(db, 'customer');
    expect([...customers.values()].filter((c) => c.deleted).map((c) => c.row.id)).toEqual([gone]);
    expect(customers.get(changed)?.row.first_name).toBe('Changed');
    expect((await rowsById(db, 'subscription')).size).toBe(620);
  });

  it('ids with quotes, commas, braces and backslashes survive the bookkeeping statements', async () => {
    const odd = ['odd "quoted", id', '{braces}', 'back\\slash', 'üñí cødé', 'NULL'];
    for (const id of odd) emu.customers.create({ id });
    const deps = depsFor(db, emu);
    const first = ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    expect((await repairsOf(db, first.id)).map((r) => r.entity_id).sort()).toEqual([...odd].sort());
    emu.customers.purge(odd[0] as string);
    const second = ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    expect(second.repairs).toEqual({ deleted_upstream: 1 });
    const customers = await rowsById(db, 'customer');
    expect(odd.filter((id) => customers.get(id)?.deleted)).toEqual([odd[0]]);
  });

  it('does not tombstone after an incomplete pass', async () => {
    emu.seed({ customers: 10 });
    const deps = depsFor(db, emu, { settings: { pageSize: 5 } });
    ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    emu.customers.purge(emu.customers.all()[0].id);
    emu.faults.set({ failNext: 50, failStatus: 500, pathPrefix: '/transactions' });
    const run = ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    expect(run.status).toBe('partial');
    expect(run.error).toMatch(/transaction/);
    expect([...(await rowsById(db, 'customer')).values()].filter((c) => c.deleted)).toEqual([]);
  });

  it('records plan mismatches and unmapped plans, and imports identity mappings', async () => {
    emu.plans.create({ id: 'basic', name: 'Basic', price: 1000, period: 1, period_unit: 'month' });
    emu.itemPrices.create({ id: 'pro-USD-yearly', item_id: 'pro', name: 'Pro', item_type: 'plan', price: 96000, period: 1, period_unit: 'year' });
    emu.itemPrices.create({ id: 'seats-USD', item_id: 'seats', name: 'Seats', item_type: 'addon', price: 500, period: 1, period_unit: 'month' });
    emu.customers.create({ id: 'c1' });
    emu.subscriptions.create({ id: 's1', customer_id: 'c1', plan_id: 'basic' });
    emu.subscriptions.create({ id: 's2', customer_id: 'c1', subscription_items: [{ item_price_id: 'pro-USD-yearly', item_type: 'plan' }] });
    emu.plans.create({ id: 'never-used', name: 'Never used', price: 5, period: 1, period_unit: 'month' });
    const deps = depsFor(db, emu);
    ran(await runReconcile(deps, { mode: 'incremental', trigger: 'test' }));
    const now = new Date();
    await db.sync.knex('plan_mapping').insert({ chargebee_plan_id: 'basic', plan_key: 'starter', created_at: now, updated_at: now });

    const plans = ran(await runReconcile(deps, { mode: 'plans', trigger: 'test' }));
    expect(plans.status).toBe('succeeded');
    const repairs = await repairsOf(db, plans.id);
    expect(repairs.filter((r) => r.kind === 'plan_mismatch').map((r) => r.entity_id)).toEqual(['s1']);
    expect((await rowsById(db, 'subscription')).get('s1')?.row.plan_key).toBe('starter');
    const unmapped = repairs.filter((r) => r.kind === 'unmapped_plan').map((r) => r.entity_id);
    expect(unmapped).toContain('never-used');
    expect(unmapped).toContain('pro-USD-yearly');
    expect(unmapped).not.toContain('basic');
    expect(unmapped).not.toContain('seats-USD'); // addons are not plans
    const listed = (await db.sync.knex('chargebee_plan').select('id', 'catalog')).map((r) => `${r.catalog}:${r.id}`);
    expect(listed).toEqual(expect.arrayContaining(['pc1:basic', 'pc1:never-used', 'pc2:pro-USD-yearly']));

    const created = await importPlanMappings(db.sync.knex, ['pro-USD-yearly']);
    expect(created).toMatchObject([{ chargebeePlanId: 'pro-USD-yearly', planKey: 'pro-USD-yearly' }]);
    expect((await rowsById(db, 'subscription')).get('s2')?.row.plan_key).toBe('pro-USD-yearly');
    await expect(importPlanMappings(db.sync.knex, ['nope'])).rejects.toThrow(/unknown Chargebee plan/);
    const rest = await importPlanMappings(db.sync.knex, 'all');
    expect(rest.map((m) => m.chargebeePlanId)).toContain('never-used');
    expect((await reconcileStatus(db.sync.knex)).unmappedPlans).toBe(0);
  });

  it('dry runs report repairs and write nothing', async () => {
    emu.seed({ customers: 8, transactionsPerSubscription: 1 });
    const deps = depsFor(db, emu);
    ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    const target = emu.customers.all()[1];
    emu.clock.advance(60_000);
    emu.customers.update(target.id, { first_name: 'Changed' });
    const purged = emu.customers.all()[2].id;
    emu.customers.purge(purged);
    emu.customers.create({ id: 'brand-new' });
    const now = new Date();
    await db.sync.knex('plan_mapping').insert({ chargebee_plan_id: 'basic-USD', plan_key: 'basic', created_at: now, updated_at: now });
    const before = await snapshotData(db);
    const dryRuns: number[] = [];
    for (const mode of ['incremental', 'full', 'plans'] as const) {
      const run = ran(await runReconcile(deps, { mode, dryRun: true, trigger: 'test' }));
      expect(run).toMatchObject({ status: 'succeeded', dryRun: true });
      dryRuns.push(run.id);
    }
    expect(await snapshotData(db)).toEqual(before);
    const kinds = (await db.sync.knex('reconcile_repair').whereIn('run_id', dryRuns).select('kind', 'entity_id')).map((r) => `${r.kind}:${r.entity_id}`);
    expect(kinds).toEqual(expect.arrayContaining([`stale:${target.id}`, 'missing:brand-new', `deleted_upstream:${purged}`]));
    expect(kinds.some((k) => k.startsWith('plan_mismatch:'))).toBe(true);
    // The full dry run's stale and missing records count as seen through their repairs: only the purged one is tombstoned.
    const fullRepairs = await repairsOf(db, dryRuns[1] as number);
    expect(fullRepairs.filter((r) => r.kind === 'deleted_upstream').map((r) => r.entity_id)).toEqual([purged]);
  });
});
