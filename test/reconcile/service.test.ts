import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/chargebee/emulator/index.js';
import { getReconcileRun, listReconcileRuns, reconcileStatus, ReconcileBusyError, triggerReconcile } from '../../src/reconcile/service.js';
import { startScheduler } from '../../src/reconcile/scheduler.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { depsFor, emulator } from './helpers.js';

describe.each(testDialects())('reconcile service functions (%s)', (dialect) => {
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

  it('triggers a run, returns it while running, and lists runs, repairs and status', async () => {
    emu.seed({ customers: 12 });
    emu.faults.set({ latencyMs: 50 });
    const deps = depsFor(db, emu, { settings: { pageSize: 5 } });
    const started = await triggerReconcile(deps, { mode: 'full', trigger: 'graphql:admin' });
    expect(started).toMatchObject({ status: 'running', mode: 'full', trigger: 'graphql:admin' });
    await expect(triggerReconcile(deps, { mode: 'incremental', trigger: 'graphql:admin' })).rejects.toBeInstanceOf(ReconcileBusyError);
    for (let i = 0; i < 100 && (await getReconcileRun(db.sync.knex, started.id))?.run.status === 'running'; i++) await new Promise((r) => setTimeout(r, 50));
    const detail = await getReconcileRun(db.sync.knex, started.id, { limit: 5 });
    expect(detail?.run.status).toBe('succeeded');
    expect(detail?.repairs).toHaveLength(5);
    expect(detail?.repairs[0]).toMatchObject({ runId: started.id, kind: 'missing', entity: 'customer' });
    const more = await getReconcileRun(db.sync.knex, started.id, { afterId: detail?.repairs[4]?.id, limit: 1000 });
    expect(more?.repairs).toHaveLength(24 - 5);

    const finished = await triggerReconcile(deps, { mode: 'incremental', trigger: 'graphql:admin', wait: true });
    expect(finished.status).toBe('succeeded');
    const runs = await listReconcileRuns(db.sync.knex, { limit: 10 });
    expect(runs.map((r) => r.id)).toEqual([finished.id, started.id]);
    expect(await listReconcileRuns(db.sync.knex, { beforeId: finished.id })).toHaveLength(1);
    const status = await reconcileStatus(db.sync.knex, new Date(Date.UTC(2026, 0, 15, 13)));
    expect(status.lastRun?.id).toBe(finished.id);
    expect(status.watermark).toBeInstanceOf(Date);
    expect(status.watermarkAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(status.failedEvents).toBe(0);
    expect(status.unmappedPlans).toBeGreaterThan(0);
  });

  it('the scheduler runs on its cron and stops cleanly', async () => {
    const deps = depsFor(db, emu);
    const scheduler = startScheduler(deps, { incrementalCron: '* * * * * *', fullCron: '0 0 1 1 *' });
    for (let i = 0; i < 60 && (await listReconcileRuns(db.sync.knex)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await scheduler.stop();
    const runs = await listReconcileRuns(db.sync.knex);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs[0]).toMatchObject({ mode: 'incremental', trigger: 'schedule' });
  });
});
