import { MikroORM, type Options } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { dirname, resolve } from 'node:path';
import { allEntities } from './entities/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';
import { setUpSqliteConnection } from './sqlite-connection.js';
import { postgresMigrations } from './migrations/postgresql/index.js';

export type Dialect = 'sqlite' | 'postgresql';
export type Orm = MikroORM;
export type Em = SqlEntityManager;

export const defaultSqlitePath = './data/chargebee-sync.sqlite';

export interface DatabaseTarget {
  dialect: Dialect;
  /** postgres:// URL, or a SQLite file path (':memory:' allowed). */
  location: string;
}

/** DATABASE_URL → which engine and where. Unset means the embedded SQLite file. */
export function parseDatabaseUrl(url: string | undefined): DatabaseTarget {
  if (url === undefined || url === '') return { dialect: 'sqlite', location: defaultSqlitePath };
  if (/^postgres(ql)?:/.test(url)) return { dialect: 'postgresql', location: url };
  const path = url.replace(/^(sqlite|file):(\/\/)?/, '');
  return { dialect: 'sqlite', location: path === '' ? defaultSqlitePath : path };
}

export interface OrmOptions {
  target: DatabaseTarget;
  poolMax?: number;
  debug?: boolean;
}

/** One configuration shared by the app, the CLI scripts and the tests. */
export function ormConfig({ target, poolMax = 10, debug = false }: OrmOptions): Options {
  const common: Options = {
    entities: allEntities,
    extensions: [Migrator],
    debug,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    discovery: { warnWhenNoEntities: true },
    // Fail fast when the database is unreachable: the webhook answers 503 well inside Chargebee's timeout.
    driverOptions: { acquireConnectionTimeout: 5_000 },
  };
  if (target.dialect === 'postgresql') {
    return {
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: target.location,
      pool: { min: 0, max: poolMax },
      migrations: { migrationsList: postgresMigrations, tableName: 'mikro_orm_migrations', transactional: true, allOrNothing: true, silent: true },
    };
  }
  if (target.location !== ':memory:') mkdirSync(dirname(resolve(target.location)), { recursive: true });
  return {
    ...common,
    driver: BetterSqliteDriver,
    dbName: target.location,
    pool: {
      afterCreate: (connection: Parameters<typeof setUpSqliteConnection>[0], done: (error: Error | null, connection: unknown) => void) => {
        try {
          setUpSqliteConnection(connection);
          done(null, connection);
        } catch (error) {
          done(error as Error, connection);
        }
      },
    },
    migrations: { migrationsList: sqliteMigrations, tableName: 'mikro_orm_migrations', transactional: true, allOrNothing: true, silent: true },
  };
}

export async function initOrm(options: OrmOptions): Promise<Orm> {
  return MikroORM.init(ormConfig(options));
}

export function dialectOf(orm: Orm): Dialect {
  return orm.config.get('driver') === PostgreSqlDriver ? 'postgresql' : 'sqlite';
}

export function emOf(orm: Orm): Em {
  return orm.em as Em;
}

// Any constant: the key of the advisory lock replicas take while migrating one PostgreSQL database.
const migrationLockKey = 7_402_113_517;

/**
 * Applies pending migrations; returns the names applied. On PostgreSQL, replicas starting together
 * take turns under a session advisory lock held on a connection of its own (not the pool's).
 */
export async function migrate(orm: Orm): Promise<string[]> {
  const up = async () => (await orm.getMigrator().up()).map((m) => m.name);
  if (dialectOf(orm) !== 'postgresql') return up();
  const client = new pg.Client({ connectionString: orm.config.get('clientUrl') });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [migrationLockKey]);
    return await up();
  } finally {
    // Closing the session releases the lock even if unlocking fails.
    await client.end();
  }
}

export async function pendingMigrations(orm: Orm): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}
