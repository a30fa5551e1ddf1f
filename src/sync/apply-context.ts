import type { Dialect } from '../db/orm.js';
import type { SyncStamp } from './rows.js';
import type { Sql } from './sql.js';

/** What every apply function needs: the open transaction's statements, the engine, and who is syncing. */
export interface ApplyContext {
  sql: Sql;
  dialect: Dialect;
  stamp: SyncStamp;
  /** The event being applied, for the attribution history; null for API pulls. */
  eventId: string | null;
  fallbackToCustomerId: boolean;
  /** PostgreSQL advisory locks (locks.ts) this transaction holds already: not asked for again. */
  locked?: ReadonlySet<string>;
}
