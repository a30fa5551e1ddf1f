/**
 * One reconcile run in its own process, for bench/reconcile.ts: the service's reconciler
 * (runReconcile) wired as src/reconcile/setup.ts wires it (ChargebeeClient with its default
 * concurrency, run lock, default settings), against CHARGEBEE_API_URL. Prints one JSON line:
 * the run summary, wall time, the client's call totals and this process's peak RSS.
 *
 * Env: DATABASE_URL, CHARGEBEE_API_URL, CHARGEBEE_API_KEY, BENCH_MODE (full | incremental),
 * BENCH_RATE_PER_WINDOW, BENCH_WINDOW_MS, BENCH_STOP_AFTER_MS (optional: interrupt the run then).
 */
import { pino } from 'pino';
import { ChargebeeClient } from '../../src/chargebee/client.js';
import { initOrm, migrate, parseDatabaseUrl } from '../../src/db/orm.js';
import { runLockFor } from '../../src/reconcile/lock.js';
import { runReconcile } from '../../src/reconcile/reconciler.js';
import { defaultSettings } from '../../src/reconcile/types.js';
import { syncDepsOf } from '../../src/sync/sync-deps.js';

const env = process.env;
const logger = pino({ level: 'warn' }, pino.destination(2));
const target = parseDatabaseUrl(env.DATABASE_URL);
const orm = await initOrm({ target, poolMax: 3 });
await migrate(orm);
const api = new ChargebeeClient({
  site: 'emulator',
  apiKey: env.CHARGEBEE_API_KEY as string,
  apiUrl: env.CHARGEBEE_API_URL,
  ratePerWindow: Number(env.BENCH_RATE_PER_WINDOW ?? 1_000_000),
  windowMs: Number(env.BENCH_WINDOW_MS ?? 60_000),
  logger,
});
const deps = {
  sync: syncDepsOf(orm, { fallbackToCustomerId: false }),
  api,
  lock: runLockFor(target.dialect, target.dialect === 'postgresql' ? target.location : `sqlite:${target.location}`),
  logger,
  settings: { ...defaultSettings },
};
const stopAfter = env.BENCH_STOP_AFTER_MS ? Number(env.BENCH_STOP_AFTER_MS) : null;
const started = performance.now();
const outcome = await runReconcile(deps, {
  mode: env.BENCH_MODE === 'incremental' ? 'incremental' : 'full',
  trigger: 'bench',
  signal: stopAfter === null ? undefined : AbortSignal.timeout(stopAfter),
});
const wallMs = performance.now() - started;
await orm.close(true);
process.stdout.write(`${JSON.stringify({
  outcome, wallMs, api: api.totals, maxRssKiB: process.resourceUsage().maxRSS, heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
})}\n`);
process.exit(0);
