import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { initOrm, migrate, type Dialect, type Orm } from '../../src/db/orm.js';
import { syncDepsOf, type SyncDeps } from '../../src/sync/sync-deps.js';

/**
 * The engines every database-touching suite runs on: SQLite always, PostgreSQL too when
 * TEST_DATABASE_URL is set (each suite then gets a throwaway database, dropped afterwards).
 */
export function testDialects(): Dialect[] {
  if (!process.env.TEST_DATABASE_URL) return ['sqlite'];
  // CI runs the suite once per engine; TEST_SKIP_SQLITE keeps the PostgreSQL run from repeating SQLite.
  return process.env.TEST_SKIP_SQLITE === '1' ? ['postgresql'] : ['sqlite', 'postgresql'];
}

export interface TestDatabase {
  dialect: Dialect;
  /** What DATABASE_URL would be for a service using this database. */
  url: string;
  orm: Orm;
  sync: SyncDeps;
  /** Empties every table (between tests). */
  reset(): Promise<void>;
  destroy(): Promise<void>;
}

const tables = [
  'attribution_change', 'billing_transaction', 'subscription', 'customer', 'signup', 'plan_mapping', 'webhook_event',
  'audit_entry', 'reconcile_repair', 'reconcile_run', 'chargebee_plan', 'sync_state',
];

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database (no tables) and returns its DATABASE_URL. */
export async function createEmptyDatabase(dialect: Dialect): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'cbs-test-'));
    return { url: `sqlite:${join(dir, 'test.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const name = `cbs_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

export async function createTestDatabase(dialect: Dialect, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(dialect);
  const location = dialect === 'sqlite' ? empty.url.replace(/^sqlite:/, '') : empty.url;
  const orm = await initOrm({ target: { dialect, location }, poolMax: 10 });
  if (options.migrate !== false) await migrate(orm);
  const sync = syncDepsOf(orm, { fallbackToCustomerId: false });
  return {
    dialect,
    url: empty.url,
    orm,
    sync,
    async reset() {
      for (const table of tables) await sync.knex(table).delete();
    },
    async destroy() {
      await orm.close(true);
      await empty.drop();
    },
  };
}
