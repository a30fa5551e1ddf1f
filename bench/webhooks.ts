import { ServiceProcess, serviceAuthHeader } from '../test/faults/support/service-process.js';
import { bodySizes, eventMix } from './support/event-mix.js';
import { closedLoop, loadWebhooks, type LoadFigures } from './support/load.js';
import { createPostgresDatabase, createSqliteDatabase, type BenchDatabase } from './support/databases.js';
import { postgresBaseline, sqliteBaseline, sqliteBatchedCeiling } from './support/baselines.js';
import { formatTable, round, type Bench } from './support/types.js';
import { cpuPerEvent, readCpu, type CpuReading } from './support/process-cpu.js';

const levels = [1, 16, 64];

interface Case {
  engine: 'postgresql' | 'sqlite';
  concurrency: number;
  service: LoadFigures & { inboxRows: number; inboxFailed: number; cpuMicrosPerEvent: CpuReading };
  baseline: LoadFigures & { cpuMicrosPerEvent: CpuReading };
  ratio: number;
}

/** Concurrency of the warm-up each engine starts with (see `processWarmup`). */
const processWarmupConcurrency = 16;

async function measureEngine(engine: Case['engine'], postgresUrl: string | null, seconds: number, warmup: number, processWarmup: number): Promise<Case[]> {
  const create = (label: string) => (engine === 'postgresql' ? createPostgresDatabase(postgresUrl as string, label) : createSqliteDatabase());
  const serviceDb = await create('svc');
  const baselineDb = await create('raw');
  const service = await ServiceProcess.create({ databaseUrl: serviceDb.url });
  const cases: Case[] = [];
  try {
    await service.start();
    // A fresh process runs cold code: without this, the first level (concurrency 1) measured V8
    // compiling the hot paths as much as the service running them. Both sides get the same.
    await measureService(service, serviceDb, processWarmupConcurrency, processWarmup, 0, `${engine[0]}warm`);
    await measureBaseline(baselineDb, processWarmupConcurrency, processWarmup, 0, `${engine[0]}warm`);
    for (const concurrency of levels) {
      const run = `${engine[0]}${concurrency}`;
      const serviceFigures = await measureService(service, serviceDb, concurrency, seconds, warmup, run);
      const baseline = await measureBaseline(baselineDb, concurrency, seconds, warmup, run);
      // A write that fails costs less than one that commits: a baseline with failures is not a baseline.
      if (baseline.failures > 0) throw new Error(`${engine} baseline at c=${concurrency}: ${baseline.failures} writes failed (${baseline.firstFailure ?? 'no message'})`);
      cases.push({ engine, concurrency, service: serviceFigures, baseline, ratio: round(serviceFigures.eventsPerSecond / baseline.eventsPerSecond, 2) });
      const cpu = (c: CpuReading) => `CPU µs/event: service ${c.service}, postgres ${c.postgres}, bench ${c.bench}`;
      console.log(`  ${engine} c=${concurrency}: service ${serviceFigures.eventsPerSecond}/s p99 ${serviceFigures.p99Ms} ms (${cpu(serviceFigures.cpuMicrosPerEvent)});`
        + ` baseline ${baseline.eventsPerSecond}/s (${cpu(baseline.cpuMicrosPerEvent)})`);
    }
  } finally {
    await service.stop();
    await serviceDb.drop();
    await baselineDb.drop();
  }
  return cases;
}

async function measureService(service: ServiceProcess, db: BenchDatabase, concurrency: number, seconds: number, warmup: number, run: string) {
  const load = (label: string, secs: number) => loadWebhooks({
    url: service.url, authorization: serviceAuthHeader, concurrency, seconds: secs, nextBody: eventMix({ runId: `${run}${label}`, seed: 7 }).next,
  });
  if (warmup > 0) await load('w', warmup);
  // Not emptied between levels (see `notes`): the inbox figures are what this level added.
  const stored = await db.inbox();
  const before = readCpu(service.pid);
  const figures = await load('m', seconds);
  const cpuMicrosPerEvent = cpuPerEvent(before, readCpu(service.pid), figures.events);
  const inbox = await db.inbox();
  return { ...figures, inboxRows: inbox.rows - stored.rows, inboxFailed: inbox.failed - stored.failed, cpuMicrosPerEvent };
}

async function measureBaseline(db: BenchDatabase, concurrency: number, seconds: number, warmup: number, run: string): Promise<Case['baseline']> {
  const writer = db.engine === 'postgresql' ? await postgresBaseline(db.url, concurrency) : await sqliteBaseline(db.path as string);
  try {
    const loop = (label: string, secs: number) => closedLoop({
      concurrency, seconds: secs, nextBody: eventMix({ runId: `${run}${label}`, seed: 7 }).next, worker: (i) => writer.worker(i),
    });
    if (warmup > 0) await loop('bw', warmup);
    const before = readCpu(undefined);
    const figures = await loop('bm', seconds);
    return { ...figures, cpuMicrosPerEvent: cpuPerEvent(before, readCpu(undefined), figures.events) };
  } finally {
    await writer.close();
  }
}

/** PostgreSQL's share; on SQLite runs whatever PostgreSQL does is someone else's work. */
const pgCpu = (c: Case, cpu: CpuReading) => (c.engine === 'postgresql' ? String(cpu.postgres) : '-');

export const run: Bench = async ({ quick, postgresUrl }) => {
  const seconds = quick ? 3 : 8;
  const warmup = quick ? 1 : 2;
  const processWarmup = quick ? 2 : 6;
  const engines: Case['engine'][] = postgresUrl ? ['postgresql', 'sqlite'] : ['sqlite'];
  const cases: Case[] = [];
  for (const engine of engines) cases.push(...(await measureEngine(engine, postgresUrl, seconds, warmup, processWarmup)));

  // SQLite's own ceiling for these writes, batched as group commit batches them (see baselines.ts).
  const ceilingDb = await createSqliteDatabase();
  let sqliteCeiling;
  try {
    sqliteCeiling = { batch: 16, ...sqliteBatchedCeiling(ceilingDb.path as string, { seconds, batch: 16, nextBody: eventMix({ runId: 'ceiling', seed: 7 }).next }) };
  } finally {
    await ceilingDb.drop();
  }
  console.log(`  sqlite raw SQL, 16 events per transaction, no HTTP: ${sqliteCeiling.eventsPerSecond}/s`);

  const pg = cases.filter((c) => c.engine === 'postgresql');
  const sqlite = cases.filter((c) => c.engine === 'sqlite');
  const bestSqlite = Math.max(0, ...sqlite.map((c) => c.service.eventsPerSecond));
  const targets = [
    ...pg.map((c) => ({
      target: `PostgreSQL c=${c.concurrency}: >= 3x baseline at p99 <= 50 ms`,
      ratio: c.ratio, p99Ms: c.service.p99Ms, met: c.ratio >= 3 && c.service.p99Ms <= 50,
    })),
    { target: 'SQLite: >= 5,000 events/s', best: bestSqlite, rawSqlCeiling: sqliteCeiling.eventsPerSecond, met: bestSqlite >= 5000 },
  ];
  return {
    config: {
      measureSeconds: seconds,
      warmupSeconds: warmup,
      processWarmup: `${processWarmup} s at concurrency ${processWarmupConcurrency}, service and baseline, before the first level of each engine`,
      concurrency: levels,
      mix: '30% customer_changed, 17.5% subscription_changed PC1, 17.5% PC2, 35% payment_succeeded (invoice 3.2/4.4/5.6 KB); 10% duplicates',
      bodyBytes: bodySizes(),
      service: 'child process: node --import tsx src/main.ts, LOG_LEVEL=warn, defaults (DATABASE_POOL_MAX 10, WEBHOOK_CONCURRENCY 2, WEBHOOK_BATCH_MAX 200, WEBHOOK_WRITER_THREAD true), HTTP Basic auth on',
      loader: 'bench/support/http-loader.ts in the bench process (node:net, closed loop): keep-alive connections = concurrency, one request in flight per connection, requests in flight at the end awaited and counted',
      baseline: 'in-process raw SQL, one transaction per event (inbox insert on conflict do nothing + guarded upserts): pg with a pool of `concurrency` connections; better-sqlite3 with WAL + synchronous=normal',
    },
    figures: cases.map((c) => ({ ...c })),
    sqliteCeiling,
    targets,
    notes: [
      'The loader, the service, PostgreSQL and the baseline share 2 cores; the baseline pays no HTTP, JSON validation or logging.',
      'SQLite baseline is synchronous: its workers take turns, so its latency is the write plus waiting for the other workers\' writes.',
      'Each database keeps its rows from one level to the next (warm-up included), as a live database does. Emptying it (TRUNCATE, then VACUUM ANALYZE) before each level made PostgreSQL analyze the growing tables again every few hundred rows and replan every prepared statement each time: 412-433 against 293-307 µs of PostgreSQL CPU per event at concurrency 64, side by side.',
      'sqliteCeiling: the same raw SQL in one loop, 16 events per transaction, checkpoint every 8000 pages: what SQLite itself allows here.',
      'cpuMicrosPerEvent: CPU time (user + system, from /proc) per event answered or committed during the measured window, of the service process, of all PostgreSQL processes (summed per process: one that exits during the window is missed), and of the bench process (the loader, or the in-process baseline). 2 cores give 2,000,000 µs per second: events/s can not exceed 2e6 / (their sum).',
    ],
    table: formatTable(
      ['engine', 'conc', 'service ev/s', 'p50 ms', 'p99 ms', 'fail', 'CPU µs/ev svc+pg+loader', 'baseline ev/s', 'base p99', 'base CPU µs/ev client+pg', 'ratio'],
      cases.map((c) => [c.engine, c.concurrency, c.service.eventsPerSecond, c.service.p50Ms, c.service.p99Ms, c.service.failures,
        `${c.service.cpuMicrosPerEvent.service}+${pgCpu(c, c.service.cpuMicrosPerEvent)}+${c.service.cpuMicrosPerEvent.bench}`,
        c.baseline.eventsPerSecond, c.baseline.p99Ms, `${c.baseline.cpuMicrosPerEvent.bench}+${pgCpu(c, c.baseline.cpuMicrosPerEvent)}`, `${c.ratio}x`]),
    ),
  };
};
