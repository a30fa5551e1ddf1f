import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

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
    .describe('PostgreSQL connection pool size'),
  CHARGEBEE_WEBHOOK_USERNAME: optionalString.describe('HTTP Basic user Chargebee sends with webhooks'),
  CHARGEBEE_WEBHOOK_PASSWORD: optionalString.describe('HTTP Basic password Chargebee sends with webhooks (secret)'),
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024)
    .describe('largest accepted webhook body; larger → 413'),
  ATTRIBUTION_FALLBACK_TO_CUSTOMER_ID: bool.default(false)
    .describe('use the Chargebee customer id as customer key when no key is found'),
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
  if (env.NODE_ENV === 'production' && !hasUser) {
    throw new ConfigError(
      'Invalid configuration: CHARGEBEE_WEBHOOK_USERNAME/CHARGEBEE_WEBHOOK_PASSWORD are required when NODE_ENV=production',
    );
  }
  return env;
}
