import type { Dialect } from '../db/orm.js';
import type { SyncStamp } from './rows.js';
import type { Trx } from './db-helpers.js';

/** What every apply function needs: the open transaction, the engine, and who is syncing. */
export interface ApplyContext {
  trx: Trx;
  dialect: Dialect;
  stamp: SyncStamp;
  /** The event being applied, for the attribution history; null for API pulls. */
  eventId: string | null;
  fallbackToCustomerId: boolean;
}
