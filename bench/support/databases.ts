import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import Database from 'better-sqlite3';
import { initOrm, migrate, parseDatabaseUrl } from '../../src/db/orm.js';

export interface BenchDatabase {
  engine: 'postgresql' | 'sqlite';
  /** DATABASE_URL for the service. */
  url: string;
  /** The SQLite file (SQLite only). */
  path: string | null;
  /** Inbox rows, and how many of them are stored as failed (a sanity check of a run). */
  inbox(): Promise<{ rows: number; failed: number }>;
  drop(): Promise<void>;
}

const inboxSql = "select count(*) as rows, sum(case when status = 'failed' then 1 else 0 end) as failed from webhook_event";
const inboxOf = (r: { rows: unknown; failed: unknown } | undefined) => ({ rows: Number(r?.rows ?? 0), failed: Number(r?.failed ?? 0) });

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Applies the service's own migrations, so the baseline writes into exactly the same tables. */
async function migrateWithServiceMigrations(url: string): Promise<void> {
  const orm = await initOrm({ target: parseDatabaseUrl(url), poolMax: 2 });
  try {
    await migrate(orm);
  } finally {
    await orm.close(true);
  }
}

/** A throwaway PostgreSQL database on the admin URL's server, migrated; `drop` removes it. */
export async function createPostgresDatabase(adminUrl: string, label: string): Promise<BenchDatabase> {
  const name = `cbs_bench_${label}_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db: BenchDatabase = {
    engine: 'postgresql',
    url: url.toString(),
    path: null,
    inbox: () => withClient(db.url, async (c) => inboxOf((await c.query<{ rows: string; failed: string }>(inboxSql)).rows[0])),
    drop: () => withClient(adminUrl, async (c) => {
      await c.query(`drop database if exists ${name} with (force)`);
    }),
  };
  await migrateWithServiceMigrations(db.url);
  return db;
}

/** A migrated SQLite file in a temporary directory. */
export async function createSqliteDatabase(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'cbs-bench-'));
  const path = join(dir, 'bench.sqlite');
  const db: BenchDatabase = {
    engine: 'sqlite',
    url: `sqlite:${path}`,
    path,
    inbox: async () => {
      const sqlite = new Database(path);
      const counts = inboxOf(sqlite.prepare(inboxSql).get() as { rows: number; failed: number });
      sqlite.close();
      return counts;
    },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
  await migrateWithServiceMigrations(db.url);
  return db;
}
