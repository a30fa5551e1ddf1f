import { z } from 'zod';
import cron from 'node-cron';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const cronExpression = z.string().refine((v) => cron.validate(v), { message: 'not a valid cron expression' });

/**
 * Every environment variable the service reads, with its default. The README's configuration table
 * is checked against this object by a test, so add new variables here (with a description) first.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development')
    .describe('`production` makes webhook credentials and API tokens mandatory'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000)
    .describe('HTTP port (webhooks, GraphQL, health)'),
  HOST: z.string().default('0.0.0.0').describe('interface to listen on'),
  DATABASE_URL: optionalString
    .refine((v) => v === undefined || /^(postgres|postgresql|sqlite|file):/.test(v), {
      message: 'expected postgres://user@host:port/db, sqlite:<path>, or unset for ./data/chargebee-sync.sqlite',
    })
    .describe('unset → SQLite file ./data/chargebee-sync.sqlite; postgres://… → PostgreSQL; sqlite:<path> → another SQLite file'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10)
    .describe('PostgreSQL connection pool size (the webhook writer thread has its own: up to WEBHOOK_CONCURRENCY more)'),
  CHARGEBEE_WEBHOOK_USERNAME: optionalString.describe('HTTP Basic user Chargebee sends with webhooks'),
  CHARGEBEE_WEBHOOK_PASSWORD: optionalString.describe('HTTP Basic password Chargebee sends with webhooks (secret)'),
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024)
    .describe('largest accepted webhook body; larger → 413'),
  WEBHOOK_BATCH_MAX: z.coerce.number().int().min(1).max(1000).default(200)
    .describe('most webhook events one database transaction takes (group commit)'),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2)
    .describe('webhook transactions in flight at once on PostgreSQL (SQLite has one writer); fewer in flight means larger batches, which cost less per event'),
  WEBHOOK_WRITER_THREAD: bool.default(true)
    .describe('webhook events are written by a thread of its own, with its own connections (on PostgreSQL up to WEBHOOK_CONCURRENCY more), so HTTP and GraphQL do not wait on the database driver; false writes them on the main thread through the shared pool'),
  WEBHOOK_MAX_PENDING: z.coerce.number().int().min(1).default(10_000)
    .describe('events allowed to wait for a transaction; beyond it webhooks get 503 and Chargebee retries'),
  ATTRIBUTION_FALLBACK_TO_CUSTOMER_ID: bool.default(false)
    .describe('use the Chargebee customer id as customer key when no key is found'),
  CHARGEBEE_SITE: optionalString.describe('Chargebee site name (acme-test for acme-test.chargebee.com); without site and key the reconciler is disabled'),
  CHARGEBEE_API_KEY: optionalString.describe('Chargebee API key (read-only is enough) for the reconciler (secret)'),
  CHARGEBEE_API_URL: optionalString
    .refine((v) => v === undefined || /^https?:\/\/[^/]+(\/api\/v2)?\/?$/.test(v), { message: 'expected http(s)://host[:port][/api/v2]' })
    .describe('overrides the Chargebee base URL, e.g. http://127.0.0.1:8787 for the emulator'),
  CHARGEBEE_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(10_000).default(100)
    .describe("the reconciler's own API budget per minute; keep it well below the site's limit, which other integrations share"),
  RECONCILE_CRON: cronExpression.default('*/15 * * * *').describe('cron schedule of the incremental reconcile'),
  RECONCILE_FULL_CRON: cronExpression.default('30 3 * * *').describe('cron schedule of the full reconcile (and plan refresh)'),
  RECONCILE_IN_SERVER: bool.default(true)
    .describe('run the reconcile scheduler inside the server; false when `npm run jobs` runs it as its own process'),
  RECONCILE_OVERLAP_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300)
    .describe('incremental runs re-read this many seconds before the watermark (clock skew, late events)'),
  API_TOKENS: optionalString
    .describe('GraphQL API tokens as name:role:secret, comma-separated; roles reader, ingest, admin; secrets of 16+ characters (secret). Unset outside production: loopback callers only, as admin'),
  GRAPHIQL: bool.default(true).describe('serve the GraphiQL IDE at GET /graphql (its queries still need a token)'),
  GRAPHQL_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(100 * 1024)
    .describe('largest accepted /graphql request body; larger → 413'),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(10)
    .describe('deepest selection nesting a GraphQL query may have'),
  GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().min(10).default(20_000)
    .describe('highest estimated cost of a GraphQL query (page sizes multiply their selections)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
    .describe('pino log level'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional()
    .describe('`json` (default when not a terminal) or `pretty`'),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; the first problem is reported as one line naming the variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.join('.') ?? 'environment';
    throw new ConfigError(`Invalid configuration: ${name}: ${issue?.message ?? 'invalid value'}`);
  }
  const env = result.data;
  const hasUser = env.CHARGEBEE_WEBHOOK_USERNAME !== undefined;
  const hasPassword = env.CHARGEBEE_WEBHOOK_PASSWORD !== undefined;
  if (hasUser !== hasPassword) {
    throw new ConfigError(
      'Invalid configuration: CHARGEBEE_WEBHOOK_USERNAME and CHARGEBEE_WEBHOOK_PASSWORD must be set together',
    );
  }
  if (env.NODE_ENV === 'production' && env.API_TOKENS === undefined) {
    throw new ConfigError('Invalid configuration: API_TOKENS is required when NODE_ENV=production');
  }
  if (env.NODE_ENV === 'production' && !hasUser) {
    throw new ConfigError(
      'Invalid configuration: CHARGEBEE_WEBHOOK_USERNAME/CHARGEBEE_WEBHOOK_PASSWORD are required when NODE_ENV=production',
    );
  }
  return env;
}

/** For command-line entrypoints: the configuration, or its one-line error on stderr and exit code 1. */
export function loadEnvOrExit(): Env {
  try {
    return loadEnv();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : String(error));
    process.exit(1);
  }
}
