import { spawn } from 'node:child_process';
import { repoRoot } from '../test/faults/support/service-process.js';
import { createPostgresDatabase, createSqliteDatabase, type BenchDatabase } from './support/databases.js';
import { EmulatorProcess, type EmulatorStats } from './support/emulator-process.js';
import { formatTable, round, type Bench } from './support/types.js';

/**
 * Reconcile (issue 6, item 3): the service's reconciler in a child process (bench/support/reconcile-worker.ts)
 * against the Chargebee emulator in another (src/chargebee/emulator/cli.ts). Full-run throughput with
 * no rate limit, budget use under a rate limit, API calls of an idle incremental run, and peak RSS
 * of the reconciler process at two data sizes.
 */
const apiKey = 'bench_reconcile_key';

interface WorkerResult {
  outcome: { skipped: true; reason: string } | { skipped: false; run: { id: number; status: string; scanned: Record<string, number>; repairs: Record<string, number>; apiCalls: number; rateLimited: number; error: string | null } };
  wallMs: number;
  api: { calls: number; rateLimited: number; retries: number };
  maxRssKiB: number;
  heapUsedMiB: number;
}

function runWorker(env: Record<string, string>): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/reconcile-worker.ts'], {
      cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-4000); });
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as WorkerResult);
      } catch {
        reject(new Error(`reconcile worker exited ${code}: ${out.slice(-1000)}\n${err}`));
      }
    });
  });
}

interface RunFigures {
  mode: 'full' | 'incremental';
  status: string;
  records: number;
  wallSeconds: number;
  recordsPerSecond: number;
  apiCalls: number;
  emulatorRequests: number;
  rateLimited429: number;
  peakRssMiB: number;
  repairs: Record<string, number>;
}

async function reconcileOnce(emu: EmulatorProcess, db: BenchDatabase, mode: 'full' | 'incremental', extra: Record<string, string> = {}): Promise<RunFigures & { worker: WorkerResult }> {
  await emu.control('POST', '/stats/reset');
  const worker = await runWorker({ DATABASE_URL: db.url, CHARGEBEE_API_URL: emu.url, CHARGEBEE_API_KEY: apiKey, BENCH_MODE: mode, ...extra });
  const stats = await emu.control<EmulatorStats>('GET', '/stats');
  if (worker.outcome.skipped) throw new Error(`reconcile skipped: ${worker.outcome.reason}`);
  const run = worker.outcome.run;
  const records = Object.values(run.scanned).reduce((a, b) => a + b, 0);
  return {
    mode,
    status: run.status,
    records,
    wallSeconds: round(worker.wallMs / 1000, 2),
    recordsPerSecond: round(records / (worker.wallMs / 1000), 0),
    apiCalls: run.apiCalls,
    emulatorRequests: stats.totalRequests,
    rateLimited429: stats.rateLimited,
    peakRssMiB: round(worker.maxRssKiB / 1024, 1),
    repairs: run.repairs,
    worker,
  };
}

async function seed(emu: EmulatorProcess, customers: number): Promise<void> {
  await emu.control('POST', '/reset');
  // One subscription per customer (mixed PC 1.0 / 2.0), no transactions: records = 2 × customers.
  await emu.control('POST', '/seed', { customers, subscriptionsPerCustomer: 1, catalog: 'mixed', seed: 42 });
}

async function withDatabase<T>(engine: 'postgresql' | 'sqlite', postgresUrl: string | null, work: (db: BenchDatabase) => Promise<T>): Promise<T> {
  const db = engine === 'postgresql' ? await createPostgresDatabase(postgresUrl as string, 'rec') : await createSqliteDatabase();
  try {
    return await work(db);
  } finally {
    await db.drop();
  }
}

/** Requests per consecutive window from the first request on (full windows only), from the emulator's request log. */
async function windowsOf(emu: EmulatorProcess, windowMs: number): Promise<number[]> {
  const { log } = await emu.control<{ log: { at: number; path: string; status: number }[] }>('GET', '/stats/log');
  const times = log.filter((e) => e.path.startsWith('/api/v2')).map((e) => e.at).sort((a, b) => a - b);
  if (times.length === 0) return [];
  const first = times[0] as number;
  const last = times[times.length - 1] as number;
  const full = Math.floor((last - first) / windowMs);
  const counts = new Array<number>(full).fill(0);
  for (const t of times) {
    const i = Math.floor((t - first) / windowMs);
    if (i < full) counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

export const run: Bench = async ({ quick, postgresUrl }) => {
  const sizes = quick
    ? { throughputCustomers: 10_000, incremental: [2_000, 10_000], rss: [5_000, 20_000], budgetSeconds: 15 }
    : { throughputCustomers: 100_000, incremental: [5_000, 50_000], rss: [50_000, 200_000], budgetSeconds: 30 };
  const budget = { limit: 50, windowMs: 5_000 }; // 600/min, on a 5 s window so a 30 s run spans several windows
  const budgetCustomers = Math.ceil((budget.limit * (sizes.budgetSeconds / (budget.windowMs / 1000)) * 100) / 2) + 5_000; // more pages than the run can read
  const engines: ('postgresql' | 'sqlite')[] = postgresUrl ? ['postgresql', 'sqlite'] : ['sqlite'];
  const emu = await EmulatorProcess.start(apiKey);
  const throughput: Record<string, unknown>[] = [];
  const incremental: Record<string, unknown>[] = [];
  const memory: Record<string, unknown>[] = [];
  const budgets: Record<string, unknown>[] = [];
  try {
    // 1. Full run with no rate limit, then an incremental run with no changes, at the headline size.
    for (const engine of engines) {
      await seed(emu, sizes.throughputCustomers);
      await withDatabase(engine, postgresUrl, async (db) => {
        const full = await reconcileOnce(emu, db, 'full');
        const { worker: _w, ...f } = full;
        throughput.push({ engine, customers: sizes.throughputCustomers, subscriptions: sizes.throughputCustomers, ...f });
        console.log(`  ${engine} full ${f.records} records: ${f.wallSeconds} s, ${f.recordsPerSecond} records/s, ${f.apiCalls} calls, RSS ${f.peakRssMiB} MiB, ${f.status}`);
        const inc = await reconcileOnce(emu, db, 'incremental');
        const { worker: _i, ...i } = inc;
        incremental.push({ engine, ...i, records: f.records });
        console.log(`  ${engine} incremental (no changes) at ${f.records} records: ${i.apiCalls} calls (${i.emulatorRequests} seen by the emulator), ${i.status}`);
      });
    }
    // 2. Idle incremental at a smaller size (the headline size gave the larger one), PostgreSQL first engine only.
    for (const engine of engines) {
      const customers = sizes.incremental[0] as number;
      await seed(emu, customers);
      await withDatabase(engine, postgresUrl, async (db) => {
        await reconcileOnce(emu, db, 'full');
        const { worker: _i, ...i } = await reconcileOnce(emu, db, 'incremental');
        incremental.push({ engine, ...i, records: customers * 2 });
        console.log(`  ${engine} incremental (no changes) at ${customers * 2} records: ${i.apiCalls} calls, ${i.status}`);
      });
    }
    // 3. Peak RSS of the reconciler process: full runs at two sizes (×4), first engine.
    const rssEngine = engines[0] as 'postgresql' | 'sqlite';
    for (const customers of sizes.rss) {
      await seed(emu, customers);
      await withDatabase(rssEngine, postgresUrl, async (db) => {
        const { worker, ...f } = await reconcileOnce(emu, db, 'full');
        memory.push({ engine: rssEngine, records: f.records, peakRssMiB: f.peakRssMiB, heapUsedAtEndMiB: round(worker.heapUsedMiB, 1), wallSeconds: f.wallSeconds, recordsPerSecond: f.recordsPerSecond, status: f.status });
        console.log(`  ${rssEngine} RSS at ${f.records} records: ${f.peakRssMiB} MiB (${f.wallSeconds} s)`);
      });
    }
    // 4. Budget: the client's budget equals the emulator's limit; the run is interrupted after budgetSeconds.
    for (const engine of engines) {
      await seed(emu, budgetCustomers);
      await emu.control('POST', '/faults', { rateLimit: { limit: budget.limit, windowMs: budget.windowMs, retryAfter: true, mode: 'sliding' } });
      try {
        await withDatabase(engine, postgresUrl, async (db) => {
          const { worker: _w, ...f } = await reconcileOnce(emu, db, 'full', {
            BENCH_RATE_PER_WINDOW: String(budget.limit), BENCH_WINDOW_MS: String(budget.windowMs), BENCH_STOP_AFTER_MS: String(sizes.budgetSeconds * 1000),
          });
          const stats = await emu.control<EmulatorStats>('GET', `/stats?windowMs=${budget.windowMs}&pathPrefix=/api/v2`);
          const windows = await windowsOf(emu, budget.windowMs);
          const used = windows.length > 0 ? windows.reduce((a, b) => a + b, 0) / (windows.length * budget.limit) : 0;
          budgets.push({
            engine, limit: `${budget.limit} per ${budget.windowMs} ms (= ${(budget.limit * 60_000) / budget.windowMs}/min)`, seconds: f.wallSeconds,
            requests: f.emulatorRequests, requestsPerFullWindow: windows, maxRequestsInAnyWindow: stats.maxRequestsInWindow,
            shareOfBudgetUsed: round(used, 3), rateLimited429: stats.rateLimited, records: f.records, status: f.status,
          });
          console.log(`  ${engine} budget: ${round(used * 100, 1)}% used (windows ${windows.join('/')}), max ${stats.maxRequestsInWindow} in any window, ${stats.rateLimited} × 429`);
        });
      } finally {
        await emu.control('DELETE', '/faults');
      }
    }
  } finally {
    await emu.stop();
  }

  const targets: Record<string, unknown>[] = [];
  for (const t of throughput) targets.push({ target: `${String(t.engine)} full run >= 5,000 records/s (${String(t.recordsPerSecond)})`, met: (t.recordsPerSecond as number) >= 5000 && t.status === 'succeeded' });
  for (const b of budgets) {
    targets.push({ target: `${String(b.engine)} budget used >= 90% (${round((b.shareOfBudgetUsed as number) * 100, 1)}%)`, met: (b.shareOfBudgetUsed as number) >= 0.9 });
    targets.push({ target: `${String(b.engine)} 429s received = 0 (${String(b.rateLimited429)})`, met: b.rateLimited429 === 0 });
  }
  for (const i of incremental) targets.push({ target: `${String(i.engine)} idle incremental at ${String(i.records)} records: API calls <= 3 (${String(i.apiCalls)})`, met: (i.apiCalls as number) <= 3 && i.status === 'succeeded' });
  if (memory.length === 2) {
    const [a, b] = memory as { records: number; peakRssMiB: number }[] as [{ records: number; peakRssMiB: number }, { records: number; peakRssMiB: number }];
    const ratio = round(b.peakRssMiB / a.peakRssMiB, 2);
    targets.push({ target: `peak RSS flat within 20% from ${a.records} to ${b.records} records (${a.peakRssMiB} → ${b.peakRssMiB} MiB, ×${ratio})`, ratio, met: ratio <= 1.2 });
  }
  const table = [
    ...formatTable(['engine', 'case', 'records', 'seconds', 'records/s', 'API calls', '429s', 'peak RSS MiB', 'status'], [
      ...throughput.map((t) => [String(t.engine), 'full, no limit', t.records as number, t.wallSeconds as number, t.recordsPerSecond as number, t.apiCalls as number, t.rateLimited429 as number, t.peakRssMiB as number, String(t.status)]),
      ...incremental.map((i) => [String(i.engine), 'incremental, idle', i.records as number, i.wallSeconds as number, '-', i.apiCalls as number, i.rateLimited429 as number, i.peakRssMiB as number, String(i.status)]),
      ...memory.map((m) => [String(m.engine), 'full (RSS)', m.records as number, m.wallSeconds as number, m.recordsPerSecond as number, '-', '-', m.peakRssMiB as number, String(m.status)]),
      ...budgets.map((b) => [String(b.engine), `budget ${String(b.limit)}`, b.records as number, b.seconds as number, `${round((b.shareOfBudgetUsed as number) * 100, 1)}% used`, b.requests as number, b.rateLimited429 as number, '-', String(b.status)]),
    ]),
  ];
  return {
    config: {
      sizes,
      data: 'emulator seed: customers with one subscription each (catalog mixed PC 1.0/2.0, statuses 70/10/15/5), no transactions; records = 2 × customers',
      reconciler: 'child process: bench/support/reconcile-worker.ts = runReconcile with ChargebeeClient (default concurrency 2, page size 100), run lock, default settings; node --import tsx',
      emulator: 'child process: src/chargebee/emulator/cli.ts, real clock; stats over its HTTP control API',
      budget: { ...budget, clientBudget: 'same limit and window (BENCH_RATE_PER_WINDOW/BENCH_WINDOW_MS)', runInterruptedAfterSeconds: sizes.budgetSeconds, customers: budgetCustomers },
    },
    figures: [
      ...throughput.map((t) => ({ case: 'full, no rate limit', ...t })),
      ...incremental.map((i) => ({ case: 'incremental, no changes', ...i })),
      ...memory.map((m) => ({ case: 'peak RSS', ...m })),
      ...budgets.map((b) => ({ case: 'budget', ...b })),
    ],
    targets,
    notes: [
      'No baseline process: records/s is compared with the 5,000/s target; the emulator, reconciler and database share the 2 cores.',
      'Budget share = requests in full windows (from the first request) / (windows × limit); the limiter holds a slot until a window after the answer, so latency costs a little of the budget.',
      'Idle incremental = 1 events list + 2 second-net lists (rotating); records updated within the 300 s overlap before the watermark are listed again.',
      ...(quick ? [`--quick: smaller sizes (${sizes.throughputCustomers} customers headline, RSS at ${sizes.rss.map((c) => c * 2).join(' and ')} records, ${sizes.budgetSeconds} s budget run).`] : []),
    ],
    table,
  };
};
