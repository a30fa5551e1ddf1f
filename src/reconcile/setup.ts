import type { Env } from '../config/env.js';
import type { Logger } from '../logger.js';
import type { SyncDeps } from '../sync/sync-deps.js';
import { ChargebeeClient } from '../chargebee/client.js';
import { parseDatabaseUrl } from '../db/orm.js';
import { runLockFor } from './lock.js';
import { defaultSettings, type ReconcileDeps } from './types.js';

export type ReconcilerSetup = { enabled: true; deps: ReconcileDeps } | { enabled: false; reason: string };

/** Builds the reconciler from the environment; without site and key it is disabled (webhooks work regardless). */
export function reconcilerFromEnv(env: Env, sync: SyncDeps, logger: Logger): ReconcilerSetup {
  const missing = [
    env.CHARGEBEE_SITE === undefined && env.CHARGEBEE_API_URL === undefined ? 'CHARGEBEE_SITE' : null,
    env.CHARGEBEE_API_KEY === undefined ? 'CHARGEBEE_API_KEY' : null,
  ].filter((v): v is string => v !== null);
  if (missing.length > 0) return { enabled: false, reason: `${missing.join(' and ')} not set` };
  const target = parseDatabaseUrl(env.DATABASE_URL);
  const api = new ChargebeeClient({
    site: env.CHARGEBEE_SITE ?? 'emulator',
    apiKey: env.CHARGEBEE_API_KEY as string,
    apiUrl: env.CHARGEBEE_API_URL,
    ratePerWindow: env.CHARGEBEE_RATE_LIMIT_PER_MIN,
    windowMs: 60_000,
    logger: logger.child({ component: 'chargebee' }),
  });
  return {
    enabled: true,
    deps: {
      sync,
      api,
      // The lock key for SQLite is the database file; for PostgreSQL its own connection to the same database.
      lock: runLockFor(target.dialect, target.dialect === 'postgresql' ? target.location : `sqlite:${target.location}`),
      logger: logger.child({ component: 'reconcile' }),
      settings: { ...defaultSettings, overlapSeconds: env.RECONCILE_OVERLAP_SECONDS },
    },
  };
}
