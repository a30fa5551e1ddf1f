/**
 * One reconcile run from the command line:
 *   npm run reconcile -- [--full | --plans] [--dry-run] [--since <iso>] [--json]
 * Exit codes: 0 succeeded, 1 failed, 2 partial, 3 skipped (another run holds the lock), 64 usage.
 * Ctrl-C stops between pages; the run resumes from its checkpoint next time.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadEnvOrExit } from '../src/config/env.js';
import { initOrm, migrate, parseDatabaseUrl } from '../src/db/orm.js';
import { syncDepsOf } from '../src/sync/sync-deps.js';
import { reconcilerFromEnv } from '../src/reconcile/setup.js';
import { runReconcile } from '../src/reconcile/reconciler.js';
import { formatProgress, formatSummary } from '../src/reconcile/report.js';

const usage = 'usage: npm run reconcile -- [--full | --plans] [--dry-run] [--since <iso date>] [--json]';

function parse() {
  const { values } = parseArgs({
    options: { full: { type: 'boolean' }, plans: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, since: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) throw new Error(usage);
  if (values.full && values.plans) throw new Error(`--full and --plans exclude each other\n${usage}`);
  const since = values.since === undefined ? undefined : new Date(values.since);
  if (since !== undefined && Number.isNaN(since.getTime())) throw new Error(`--since: not a date: ${values.since}`);
  if (since !== undefined && (values.full || values.plans)) throw new Error('--since applies to incremental runs only');
  return { mode: values.full ? 'full' as const : values.plans ? 'plans' as const : 'incremental' as const, dryRun: values['dry-run'] ?? false, since, json: values.json ?? false };
}

let args;
try {
  args = parse();
} catch (error) {
  console.error((error as Error).message);
  process.exit(64);
}

const env = loadEnvOrExit();
// Logs go to stderr so that stdout carries only the summary (or the JSON).
const logger = pino({ level: args.json || process.stderr.isTTY ? 'warn' : env.LOG_LEVEL }, pino.destination(2));
const orm = await initOrm({ target: parseDatabaseUrl(env.DATABASE_URL), poolMax: 3 });
let code = 1;
try {
  await migrate(orm);
  const setup = reconcilerFromEnv(env, syncDepsOf(orm, { fallbackToCustomerId: env.ATTRIBUTION_FALLBACK_TO_CUSTOMER_ID }), logger);
  if (!setup.enabled) throw new Error(`reconciler disabled: ${setup.reason}`);
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort(new Error('interrupted by SIGINT')));
  const tty = process.stderr.isTTY && !args.json;
  const outcome = await runReconcile(setup.deps, {
    mode: args.mode, dryRun: args.dryRun, since: args.since, trigger: 'cli', signal: stop.signal,
    onProgress: tty ? (p) => process.stderr.write(`\r\x1b[2K${formatProgress(p)}`) : undefined,
  });
  if (tty) process.stderr.write('\n');
  if (outcome.skipped) {
    if (args.json) console.log(JSON.stringify({ skipped: true, reason: outcome.reason }));
    else console.log(`skipped: ${outcome.reason}`);
    code = 3;
  } else {
    if (args.json) console.log(JSON.stringify(outcome.run, null, 2));
    else console.log(formatSummary(outcome.run));
    code = { succeeded: 0, failed: 1, partial: 2, running: 2 }[outcome.run.status];
  }
} catch (error) {
  console.error((error as Error).message);
  code = 1;
} finally {
  await orm.close(true);
}
process.exit(code);
