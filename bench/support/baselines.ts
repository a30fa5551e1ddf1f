import pg from 'pg';
import Database from 'better-sqlite3';
import {
  customerColumns, guardedUpsertSql, inboxColumns, rowsOfEvent, subscriptionColumns, transactionColumns, type Value,
} from './baseline-rows.js';

/** Writes one event in one transaction; the baseline the service is compared with. */
export interface BaselineWriter {
  /** One writer per concurrent worker (PostgreSQL: its own connection from a pool of that size). */
  worker(index: number): (body: string) => Promise<void>;
  close(): Promise<void>;
}

const planKey = (param: string) => ({ column: 'plan_key', sql: `(select pm.plan_key from plan_mapping pm where pm.chargebee_plan_id = ${param})` });
const insertInbox = (p: (i: number) => string) =>
  `insert into webhook_event (${inboxColumns.join(', ')}) values (${inboxColumns.map((_, i) => p(i)).join(', ')}) on conflict (event_id) do nothing`;

/** Plain `pg`, prepared statements, BEGIN/COMMIT per event, a pool as large as the concurrency. */
export async function postgresBaseline(url: string, concurrency: number): Promise<BaselineWriter> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  const clients = await Promise.all(Array.from({ length: concurrency }, () => pool.connect()));
  const dollar = (i: number) => `$${i + 1}`;
  const statements = {
    inbox: { name: 'bench_inbox', text: `${insertInbox(dollar)} returning event_id` },
    customer: { name: 'bench_customer', text: guardedUpsertSql('customer', customerColumns, dollar) },
    subscription: { name: 'bench_subscription', text: guardedUpsertSql('subscription', subscriptionColumns, dollar, planKey('$3::varchar')) },
    transaction: { name: 'bench_transaction', text: guardedUpsertSql('billing_transaction', transactionColumns, dollar) },
  };
  return {
    worker(index) {
      const client = clients[index] as pg.PoolClient;
      return async (body) => {
        const rows = rowsOfEvent(body);
        await client.query('begin');
        try {
          const inserted = await client.query({ ...statements.inbox, values: rows.inbox });
          if (inserted.rowCount === 1) {
            if (rows.customer) await client.query({ ...statements.customer, values: rows.customer });
            if (rows.subscription) await client.query({ ...statements.subscription, values: rows.subscription });
            if (rows.transaction) await client.query({ ...statements.transaction, values: rows.transaction });
          }
          await client.query('commit');
        } catch (error) {
          await client.query('rollback');
          throw error;
        }
      };
    },
    async close() {
      for (const client of clients) client.release();
      await pool.end();
    },
  };
}

const sqliteValue = (v: Value) => (v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : v);

/**
 * better-sqlite3 with the service's pragmas (WAL, synchronous=normal), one transaction per event.
 * Synchronous and single-writer: concurrency changes nothing, workers simply take turns.
 */
export async function sqliteBaseline(path: string): Promise<BaselineWriter> {
  const { db, writeEvent } = sqliteWriter(path);
  const write = db.transaction((body: string) => writeEvent(body));
  return {
    worker: () => async (body) => write(body),
    async close() {
      db.close();
    },
  };
}

/**
 * What SQLite itself allows for these writes on this machine: raw SQL in one synchronous loop, no
 * HTTP, no validation, `batch` events per transaction (as group commit does), with the service's
 * checkpoint setting (every 8,000 WAL pages). An upper bound for any service writing the same rows.
 */
export function sqliteBatchedCeiling(path: string, options: { seconds: number; batch: number; nextBody: () => string }): { events: number; eventsPerSecond: number } {
  const { db, writeEvent } = sqliteWriter(path);
  db.pragma('wal_autocheckpoint = 8000');
  const write = db.transaction((bodies: string[]) => {
    for (const body of bodies) writeEvent(body);
  });
  try {
    let events = 0;
    const started = performance.now();
    const until = started + options.seconds * 1000;
    while (performance.now() < until) {
      write(Array.from({ length: options.batch }, () => options.nextBody()));
      events += options.batch;
    }
    return { events, eventsPerSecond: Math.round(events / ((performance.now() - started) / 1000)) };
  } finally {
    db.close();
  }
}

function sqliteWriter(path: string) {
  const db = new Database(path);
  db.pragma('journal_mode = wal');
  db.pragma('synchronous = normal');
  db.pragma('busy_timeout = 5000');
  const anonymous = () => '?';
  const inbox = db.prepare(insertInbox(anonymous));
  const customer = db.prepare(guardedUpsertSql('customer', customerColumns, anonymous));
  const subscription = db.prepare(guardedUpsertSql('subscription', subscriptionColumns, anonymous, planKey('?')));
  const transaction = db.prepare(guardedUpsertSql('billing_transaction', transactionColumns, anonymous));
  const writeEvent = (body: string) => {
    const rows = rowsOfEvent(body);
    if (inbox.run(...rows.inbox.map(sqliteValue)).changes === 0) return;
    if (rows.customer) customer.run(...rows.customer.map(sqliteValue));
    // The plan-key subquery's own parameter (the plan id) comes last.
    if (rows.subscription) subscription.run(...[...rows.subscription, rows.subscription[2] ?? null].map(sqliteValue));
    if (rows.transaction) transaction.run(...rows.transaction.map(sqliteValue));
  };
  return { db, writeEvent };
}
