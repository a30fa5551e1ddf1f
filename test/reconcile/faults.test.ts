import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/chargebee/emulator/index.js';
import { runReconcile } from '../../src/reconcile/reconciler.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { clientFor, depsFor, emulator, rowsById, ran } from './helpers.js';

describe.each(testDialects())('reconcile under API faults (%s)', (dialect) => {
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

  it.each([true, false])('rides out a 429 storm (Retry-After: %s) without exceeding its budget', async (retryAfter) => {
    emu.seed({ customers: 150, transactionsPerSubscription: 1 });
    // The site allows fewer calls than our budget, so 429s are certain; our own budget is 20 per 2 s.
    emu.faults.set({ rateLimit: { limit: 12, windowMs: 2_000, retryAfter } });
    const client = clientFor(emu, { ratePerWindow: 20, windowMs: 2_000, concurrency: 2, retry: { baseDelayMs: 100, maxDelayMs: 2_000, maxRateLimitRetries: 20 } });
    const run = ran(await runReconcile(depsFor(db, emu, { client, settings: { pageSize: 25 } }), { mode: 'full', trigger: 'test' }));
    expect(run.status).toBe('succeeded');
    expect(run.error).toBeNull();
    expect(run.rateLimited).toBeGreaterThan(0);
    expect(run.rateLimited).toBe(emu.stats.snapshot().rateLimited);
    expect(run.apiCalls).toBe(emu.stats.snapshot().totalRequests);
    // 429-answered requests count too: they were sent.
    expect(emu.maxRequestsInAnyWindow(2_000)).toBeLessThanOrEqual(20);
    expect((await rowsById(db, 'billing_transaction')).size).toBe(150);
  }, 60_000);

  it('keeps to its budget when the site does not push back', async () => {
    emu.seed({ customers: 400 });
    const client = clientFor(emu, { ratePerWindow: 20, windowMs: 1_000, concurrency: 2 });
    const run = ran(await runReconcile(depsFor(db, emu, { client, settings: { pageSize: 10 } }), { mode: 'full', trigger: 'test' }));
    expect(run.status).toBe('succeeded');
    expect(run.apiCalls).toBeGreaterThan(40);
    expect(emu.maxRequestsInAnyWindow(1_000)).toBeLessThanOrEqual(20);
  }, 60_000);

  it('recovers from 5xx answers and timeouts', async () => {
    emu.seed({ customers: 30 });
    emu.faults.set({ failNext: 3, failStatus: 503, timeoutNext: 1, hangMs: 5_000 });
    const client = clientFor(emu, { timeoutMs: 300 });
    const run = ran(await runReconcile(depsFor(db, emu, { client, settings: { pageSize: 10 } }), { mode: 'full', trigger: 'test' }));
    expect(run.status).toBe('succeeded');
    expect(emu.stats.snapshot().injectedFailures).toBe(3);
    expect(emu.stats.snapshot().injectedTimeouts).toBe(1);
    expect((await rowsById(db, 'customer')).size).toBe(30);
  });

  it('marks a run partial (never succeeded) when a page fails for good, and failed on bad credentials', async () => {
    emu.seed({ customers: 5 });
    emu.faults.set({ failNext: 100, failStatus: 500, pathPrefix: '/subscriptions' });
    const client = clientFor(emu, { retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 } });
    const run = ran(await runReconcile(depsFor(db, emu, { client }), { mode: 'full', trigger: 'test' }));
    expect(run.status).toBe('partial');
    expect(run.error).toMatch(/subscription/);
    emu.faults.clear();
    const wrongKey = clientFor(emu, { apiKey: 'wrong' });
    const denied = ran(await runReconcile(depsFor(db, emu, { client: wrongKey }), { mode: 'incremental', trigger: 'test' }));
    expect(denied.status).toBe('failed');
    expect(denied.error).toMatch(/event/i);
  });

  // Pages are committed one at a time or two together: either way a killed run resumes after its last commit.
  it.each([1, 2])('a run killed midway resumes from its checkpoint (%i page(s) per commit)', async (pagesPerCommit) => {
    emu.seed({ customers: 50 });
    const deps = depsFor(db, emu, { settings: { pageSize: 10, pagesPerCommit } });
    ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    const purged = emu.customers.all()[0].id;
    emu.customers.purge(purged);
    emu.clock.advance(60_000);
    emu.customers.update(emu.customers.all()[10].id, { first_name: 'Changed' }, { silent: true });

    const kill = new AbortController();
    let pages = 0;
    const killed = ran(await runReconcile(deps, {
      mode: 'full', trigger: 'test', signal: kill.signal,
      onProgress: () => { pages += pagesPerCommit; if (pages === 2) kill.abort(new Error('killed')); },
    }));
    expect(killed.status).toBe('running');
    expect(killed.scanned.customer).toBe(20);

    emu.stats.reset();
    const resumed = ran(await runReconcile(deps, { mode: 'full', trigger: 'test' }));
    expect(resumed).toMatchObject({ id: killed.id, resumed: true, status: 'succeeded' });
    expect(resumed.scanned).toMatchObject({ customer: 49, subscription: 50 });
    // Customers 1-20 are not read again: 49 remain, 20 were done, so 3 pages (21-30, 31-40, 41-49).
    expect(emu.stats.snapshot().byPath['/api/v2/customers']).toBe(3);
    const customers = await rowsById(db, 'customer');
    expect(customers.get(purged)?.deleted).toBe(true);
    expect(customers.get(emu.customers.all()[10].id)?.row.first_name).toBe('Changed');
  });

  it('two concurrent runners: one runs, the other skips', async () => {
    emu.seed({ customers: 20 });
    emu.faults.set({ latencyMs: 100 });
    // Separate deps (and on PostgreSQL separate lock connections), as two replicas would have.
    const [a, b] = await Promise.all([
      runReconcile(depsFor(db, emu, { settings: { pageSize: 5 } }), { mode: 'full', trigger: 'a' }),
      runReconcile(depsFor(db, emu, { settings: { pageSize: 5 } }), { mode: 'incremental', trigger: 'b' }),
    ]);
    expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
    const winner = a.skipped ? b : a;
    expect(winner.skipped ? null : winner.run.status).toBe('succeeded');
    expect(await db.sync.knex('reconcile_run').count({ n: '*' })).toEqual([{ n: dialect === 'postgresql' ? '1' : 1 }]);
    const again = await runReconcile(depsFor(db, emu), { mode: 'incremental', trigger: 'c' });
    expect(again.skipped).toBe(false);
  });
});
