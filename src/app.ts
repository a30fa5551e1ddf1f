import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadEnv, type Env } from './config/env.js';
import { createLogger, type Logger } from './logger.js';
import { initOrm, migrate, parseDatabaseUrl, pendingMigrations, dialectOf, type Orm } from './db/orm.js';
import { syncDepsOf, type SyncDeps } from './sync/sync-deps.js';
import { createHttpServer, closeHttpServer, type Routes } from './http/server.js';
import { handleWebhook } from './webhook/webhook.handler.js';
import { IngestQueue } from './webhook/ingest-queue.js';
import { WriterThread } from './webhook/writer-thread.js';
import { ingestEvents } from './sync/ingest.js';
import { Metrics } from './http/metrics.js';
import { sendJson } from './http/respond.js';
import { reconcilerFromEnv } from './reconcile/setup.js';
import { startScheduler, type Scheduler } from './reconcile/scheduler.js';
import type { ReconcileDeps, RunSummary } from './reconcile/types.js';
import { createGraphQLEndpoint } from './graphql/http.js';
import { startSqliteCheckpointer } from './db/sqlite-checkpointer.js';

export interface App {
  env: Env;
  logger: Logger;
  orm: Orm;
  sync: SyncDeps;
  /** Null when CHARGEBEE_SITE/CHARGEBEE_API_KEY are not set. */
  reconciler: ReconcileDeps | null;
  server: Server;
  /** The base URL it listens on, e.g. http://127.0.0.1:4000 */
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Env;
  logger?: Logger;
  /** Skip applying migrations (tests that migrate themselves). */
  migrate?: boolean;
}

/** Builds and starts the service: configuration, database (migrated), HTTP routes. */
export async function startApp(options: StartOptions = {}): Promise<App> {
  const env = options.env ?? loadEnv();
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const target = parseDatabaseUrl(env.DATABASE_URL);
  const orm = await initOrm({ target, poolMax: env.DATABASE_POOL_MAX });
  try {
    if (options.migrate !== false) {
      const applied = await migrate(orm);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  const sync = syncDepsOf(orm, { fallbackToCustomerId: env.ATTRIBUTION_FALLBACK_TO_CUSTOMER_ID });
  const reconcile = reconcilerFromEnv(env, sync, logger);
  if (!reconcile.enabled) logger.info(`reconciler disabled: ${reconcile.reason}`);
  // On the main thread, PostgreSQL batches share the pool with GraphQL and the reconciler: two connections stay free.
  const inPoolConcurrency = Math.min(env.WEBHOOK_CONCURRENCY, Math.max(1, env.DATABASE_POOL_MAX - 2));
  // Webhook batches are written by a thread of their own (not for an in-memory SQLite database, which a
  // thread can not share). It loads while the rest is built (the GraphQL schema); awaited before listening.
  const writer = env.WEBHOOK_WRITER_THREAD && !(target.dialect === 'sqlite' && target.location === ':memory:')
    ? WriterThread.launch({
      dialect: target.dialect,
      location: target.location,
      poolMax: env.WEBHOOK_CONCURRENCY,
      fallbackToCustomerId: env.ATTRIBUTION_FALLBACK_TO_CUSTOMER_ID,
      onStopped: (reason) => logger.error({ reason }, 'webhook writer thread stopped; the next webhook starts another'),
    })
    : null;
  // A start that fails from here on leaves nothing running.
  const undoStart = async () => {
    await writer?.stop();
    await orm.close(true);
  };
  const ingestQueue = new IngestQueue(writer ? writer.ingest : (items, origin) => ingestEvents(sync, items, origin), {
    maxBatch: env.WEBHOOK_BATCH_MAX,
    // SQLite has one writer: its thread takes a second batch (once as many events wait as the last
    // one took, see IngestQueue), so the next is there when one commits.
    maxConcurrent: sync.dialect === 'sqlite' ? (writer ? 2 : 1) : writer ? env.WEBHOOK_CONCURRENCY : inPoolConcurrency,
    maxPending: env.WEBHOOK_MAX_PENDING,
  });
  const metrics = new Metrics({ knex: sync.knex, queueDepth: () => ingestQueue.depth });
  const reconciler = reconcile.enabled ? { ...reconcile.deps, onFinished: (run: RunSummary) => metrics.recordReconcileRun(run) } : null;
  let graphql;
  try {
    graphql = createGraphQLEndpoint({
      sync, logger, env, reconciler, onOperation: (operation, seconds) => metrics.graphqlSeconds.observe({ operation }, seconds),
    });
  } catch (error) {
    await undoStart();
    throw error;
  }
  const credentials = env.CHARGEBEE_WEBHOOK_USERNAME && env.CHARGEBEE_WEBHOOK_PASSWORD
    ? { username: env.CHARGEBEE_WEBHOOK_USERNAME, password: env.CHARGEBEE_WEBHOOK_PASSWORD }
    : null;
  if (credentials === null) {
    logger.warn('CHARGEBEE_WEBHOOK_USERNAME/PASSWORD are not set: webhooks are accepted without authentication');
  }

  const routes: Routes = {
    '/webhooks/chargebee': (req, res, log) => handleWebhook(req, res, {
      queue: ingestQueue,
      credentials,
      maxBodyBytes: env.WEBHOOK_MAX_BODY_BYTES,
      onIngested: (type, result, seconds) => metrics.recordIngest(type, result, seconds),
      onRejected: (status) => metrics.webhookRejected.inc({ status: String(status) }),
    }, log),
    '/metrics': (req, res) => metrics.serve(req, res),
    '/graphql': graphql.route,
    '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    '/readyz': async (_req, res) => {
      try {
        await orm.em.getConnection().execute('select 1');
        const pending = await pendingMigrations(orm);
        sendJson(res, pending.length === 0 ? 200 : 503, { status: pending.length === 0 ? 'ready' : 'migrations_pending', database: 'up', pendingMigrations: pending });
      } catch {
        sendJson(res, 503, { status: 'unavailable', database: 'down' });
      }
    },
  };
  const server = createHttpServer(routes, logger);
  try {
    await writer?.ready;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(env.PORT, env.HOST, () => resolve());
    });
  } catch (error) {
    // The thread could not open the database, or the port is taken.
    await undoStart();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, database: dialectOf(orm) }, 'chargebee-sync listening');
  // SQLite: WAL checkpoints (and their fsyncs) happen in a worker thread, off the webhook path.
  const checkpointer = target.dialect === 'sqlite' && target.location !== ':memory:'
    ? startSqliteCheckpointer(target.location, { onError: (message) => logger.warn({ error: message }, 'SQLite checkpoint failed; retrying') })
    : null;
  const scheduler: Scheduler | null = reconciler && env.RECONCILE_IN_SERVER
    ? startScheduler(reconciler, { incrementalCron: env.RECONCILE_CRON, fullCron: env.RECONCILE_FULL_CRON })
    : null;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      await scheduler?.stop();
      await closeHttpServer(server);
      await ingestQueue.drained();
      await writer?.stop();
      await checkpointer?.stop();
      await orm.close(true);
    })();
    return closing;
  };
  return { env, logger, orm, sync, reconciler, server, url, close };
}
