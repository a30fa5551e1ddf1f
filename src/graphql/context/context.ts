import type { Knex } from '@mikro-orm/knex';
import type { Logger } from '../../logger.js';
import type { SyncDeps } from '../../sync/sync-deps.js';
import type { Viewer } from './tokens.js';
import type { ReconcileDeps } from '../../reconcile/types.js';

/** Query limits enforced before any resolver runs (see builder.ts). */
export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

/** What the GraphQL layer needs from the application, fixed at start-up. */
export interface GraphQLDeps {
  sync: SyncDeps;
  logger: Logger;
  limits: QueryLimits;
  /** Null when no Chargebee site and key are configured. */
  reconciler?: ReconcileDeps | null;
}

/** Per-request context: who is asking, the request id for logs, the database, and request-scoped loaders. */
export interface GraphQLContext {
  viewer: Viewer;
  requestId: string;
  /** The request's logger (created on first use: most requests never log). */
  log: () => Logger;
  deps: GraphQLDeps;
  db: Knex;
  /** Request-scoped memo for batch loaders (see loader.ts); never shared between requests. */
  loaders: Map<string, unknown>;
}
