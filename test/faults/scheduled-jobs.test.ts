import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startEmulator, type Emulator } from '../../src/chargebee/emulator/index.js';
import { describePostgres } from './support/gate.js';
import { ServiceProcess, sleep } from './support/service-process.js';

/** Two replicas with the scheduler inside each: every tick fires on both, yet runs never overlap. */
describePostgres('scheduled reconcile on two replicas (postgresql)', () => {
  let db: TestDatabase;
  let emu: Emulator;
  let replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
    emu = await startEmulator({ apiKey: 'jobs_key' });
    emu.seed({ customers: 300, subscriptionsPerCustomer: 1, events: true });
    // Slow pages make each run last longer than the gap between ticks.
    emu.faults.set({ latencyMs: 40 });
    const env = {
      CHARGEBEE_SITE: 'jobs', CHARGEBEE_API_KEY: 'jobs_key', CHARGEBEE_API_URL: emu.url, CHARGEBEE_RATE_LIMIT_PER_MIN: '6000',
      RECONCILE_CRON: '*/2 * * * * *', RECONCILE_FULL_CRON: '*/5 * * * * *', RECONCILE_IN_SERVER: 'true',
    };
    replicas = [await ServiceProcess.create({ databaseUrl: db.url, env }), await ServiceProcess.create({ databaseUrl: db.url, env })];
    await Promise.all(replicas.map((r) => r.start()));
  });
  afterAll(async () => {
    for (const r of replicas) await r.kill();
    await emu?.close();
    await db?.destroy();
  });

  it('runs each scheduled reconcile on one replica at a time', async () => {
    await sleep(12_000);
    const runs = (await db.sync.knex('reconcile_run').select('id', 'mode', 'status', 'started_at', 'finished_at').orderBy('id')) as {
      id: number; mode: string; status: string; started_at: Date; finished_at: Date | null;
    }[];
    console.info(`scheduled runs on two replicas: ${runs.map((r) => `${r.mode}:${r.status}`).join(', ')}`);
    expect(replicas.every((r) => r.alive)).toBe(true);
    expect(runs.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(2);
    expect(runs.filter((r) => r.status === 'failed')).toEqual([]);
    const finished = runs.filter((r) => r.finished_at !== null);
    for (let i = 1; i < finished.length; i++) {
      const previous = finished[i - 1] as (typeof finished)[number];
      const current = finished[i] as (typeof finished)[number];
      // Under one lock, a run starts only after the previous one finished.
      expect(new Date(current.started_at).getTime()).toBeGreaterThanOrEqual(new Date(previous.finished_at as Date).getTime());
    }
    const [{ n }] = (await db.sync.knex('customer').count({ n: '*' })) as { n: string | number }[];
    expect(Number(n)).toBe(300);
  });
});
