import type { Knex } from '@mikro-orm/knex';
import type { Dialect, Orm } from '../db/orm.js';
import { dialectOf, emOf } from '../db/orm.js';

/** What the sync functions need from the outside: a connection pool, its engine, and the attribution setting. */
export interface SyncDeps {
  knex: Knex;
  dialect: Dialect;
  fallbackToCustomerId: boolean;
}

export function syncDepsOf(orm: Orm, options: { fallbackToCustomerId: boolean }): SyncDeps {
  return { knex: emOf(orm).getKnex(), dialect: dialectOf(orm), fallbackToCustomerId: options.fallbackToCustomerId };
}
