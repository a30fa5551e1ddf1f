/**
 * The reconcile scheduler as its own process (`npm run jobs`), for deployments that set
 * RECONCILE_IN_SERVER=false. SIGTERM/SIGINT interrupt a run between pages; it resumes next time.
 */
import { loadEnvOrExit } from '../src/config/env.js';
import { createLogger } from '../src/logger.js';
import { initOrm, migrate, parseDatabaseUrl } from '../src/db/orm.js';
import { syncDepsOf } from '../src/sync/sync-deps.js';
import { reconcilerFromEnv } from '../src/reconcile/setup.js';
import { startScheduler } from '../src/reconcile/scheduler.js';

const env = loadEnvOrExit();
const logger = createLogger({ level: env.LOG_LEVEL, format: env.LOG_FORMAT });
const orm = await initOrm({ target: parseDatabaseUrl(env.DATABASE_URL), poolMax: 3 });
await migrate(orm);
const setup = reconcilerFromEnv(env, syncDepsOf(orm, { fallbackToCustomerId: env.ATTRIBUTION_FALLBACK_TO_CUSTOMER_ID }), logger);
if (!setup.enabled) {
  logger.error(`reconciler disabled: ${setup.reason}`);
  await orm.close(true);
  process.exit(1);
}
const scheduler = startScheduler(setup.deps, { incrementalCron: env.RECONCILE_CRON, fullCron: env.RECONCILE_FULL_CRON });
const shutdown = (signal: string) => {
  logger.info({ signal }, 'scheduler stopping');
  void scheduler.stop().finally(() => orm.close(true)).finally(() => process.exit(0));
};
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
