import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/chargebee/emulator/index.js';
import { runReconcile } from '../../src/reconcile/reconciler.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { depsFor, emulator, repairsOf, rowsById, ran } from './helpers.js';

describe.each(testDialects())('incremental reconcile (%s)', (dialect) => {
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

  it('repairs missed webhooks from the events API, and a second run finds nothing to do', async () => {
    const cus = emu.customers.create({ first_name: 'Ada', meta_data: { customer_key: 'k-ada' } });
    const sub = emu.subscriptions.create({ customer_id: cus.id, plan_id: 'basic' });
    emu.clock.advance(60_000);
    emu.subscriptions.cancel(sub.id);
    const deps = depsFor(db, emu);
    const run = ran(await runReconcile(deps, { mode: 'incremental', trigger: 'test' }));
    expect(run.status).toBe('succeeded');
    const subs = await rowsById(db, 'subscription');
    expect(subs.get(sub.id)?.row.status).toBe('cancelled');
    expect((await rowsById(db, 'customer')).get(cus.id)?.row.customer_key).toBe('k-ada');
    const repairs = await repairsOf(db, run.id);
    expect(repairs.map((r) => `${r.entity}:${r.kind}`).sort()).toEqual(['customer:missing', 'subscription:missing']);
    const inbox = await db.sync.knex('webhook_event').select('origin');
    expect(inbox.length).toBe(emu.events.all().length);
    expect(new Set(inbox.map((r) => r.origin))).toEqual(new Set(['events_api']));

    const again = ran(await runReconcile(deps, { mode: 'incremental', trigger: 'test' }));
    expect(again.status).toBe('succeeded');
    expect(await repairsOf(db, again.id)).toEqual([]);
  });

  it('an idle incremental run costs at most 3 API calls', async () => {
    emu.seed({ customers: 500, events: false });
    const deps = depsFor(db, emu);
    ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    for (let i = 0; i < 3; i++) {
      emu.stats.reset();
      const run = ran(await runReconcile(deps, { mode: 'incremental', trigger: 'test' }));
      expect(run.status).toBe('succeeded');
      expect(emu.stats.snapshot().totalRequests).toBeLessThanOrEqual(3);
      expect(run.apiCalls).toBe(emu.stats.snapshot().totalRequests);
    }
  });

  it('updates stale rows changed without any event (second net)', async () => {
    const cus = emu.customers.create({ first_name: 'Old' });
    const deps = depsFor(db, emu, { settings: { netListsPerRun: 3 } });
    ran(await runReconcile(deps, { mode: 'incremental', trigger: 'test' }));
    emu.clock.advance(120_000);
    emu.customers.update(cus.id, { first_name: 'New' }, { silent: true });
    const run = ran(await runReconcile(deps, { mode: 'incremental', trigger: 'test' }));
    expect((await rowsById(db, 'customer')).get(cus.id)?.row.first_name).toBe('New');
    const repairs = await repairsOf(db, run.id);
    expect(repairs).toMatchObject([{ entity: 'customer', entity_id: cus.id, kind: 'stale' }]);
    expect(Number(repairs[0]?.version_after)).toBeGreaterThan(Number(repairs[0]?.version_before));
  });
});
