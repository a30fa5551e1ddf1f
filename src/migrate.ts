import { loadEnv, ConfigError } from './config/env.js';
import { initOrm, migrate, parseDatabaseUrl } from './db/orm.js';

/** `npm run migrate`: apply pending migrations and exit. */
try {
  const env = loadEnv();
  const orm = await initOrm({ target: parseDatabaseUrl(env.DATABASE_URL) });
  const applied = await migrate(orm);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  await orm.close(true);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`);
  process.exit(1);
}
