import type { Knex } from '@mikro-orm/knex';
import type { Dialect } from '../db/orm.js';
import { preparedStatementName } from '../db/prepared-statements.js';
import { rowsOf, type Trx } from './db-helpers.js';

export type SqlParam = string | number | boolean | null | Date | readonly string[];

/**
 * Runs statements on the connection of one open transaction, straight through the driver. The sync
 * path's statements are few and fixed, so this skips the query builder, which cost more CPU than
 * the statements themselves on the webhook path. Placeholders are `?` on both engines; SQL text
 * must not carry a literal `?` (in strings or operators).
 */
export interface Sql {
  readonly dialect: Dialect;
  /** Runs one statement; resolves to its rows (none for a statement that returns none). */
  query<T = Record<string, unknown>>(text: string, params?: readonly SqlParam[]): Promise<T[]>;
  /**
   * Runs a statement whose rows nobody reads. On a pipelined PostgreSQL connection it is only sent:
   * it resolves at once, the next statement goes out behind it without waiting for its answer, and
   * its failure is what that next statement (at the latest, COMMIT) rejects with. Elsewhere it is
   * `query` without rows.
   */
  send(text: string, params?: readonly SqlParam[]): Promise<void>;
}

/** better-sqlite3, as far as it is used here. */
interface SqliteStatement {
  readonly reader: boolean;
  all(params: unknown[]): unknown[];
  run(params: unknown[]): unknown;
}
interface SqliteConnection {
  prepare(text: string): SqliteStatement;
}
/** node-postgres, as far as it is used here. */
interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; command?: string }>;
  /** node-postgres' pipeline mode (the writer thread's pool): statements go out without waiting for the previous answer. */
  pipeline?: boolean;
}

/** The same conversions knex's better-sqlite3 client applies, so rows read back the same either way. */
function sqliteParam(value: SqlParam): unknown {
  if (value instanceof Date) return value.valueOf();
  if (typeof value === 'boolean') return Number(value);
  return value;
}

class SqliteSql implements Sql {
  readonly dialect = 'sqlite' as const;
  constructor(private readonly connection: SqliteConnection) {}

  query<T>(text: string, params: readonly SqlParam[] = []): Promise<T[]> {
    try {
      // The connection caches prepared statements (db/sqlite-connection.ts).
      const statement = this.connection.prepare(text);
      const values = params.map(sqliteParam);
      if (statement.reader) return Promise.resolve(statement.all(values) as T[]);
      statement.run(values);
      return Promise.resolve([]);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async send(text: string, params?: readonly SqlParam[]): Promise<void> {
    await this.query(text, params);
  }
}

const pgTexts = new Map<string, string>();
const pgTextCacheSize = 500;

/**
 * `?` → `$1, $2, …`, cached: the sync path's statements on PostgreSQL have fixed texts whatever the
 * row count (arrays through unnest, `= any(array)`), so they also run as named prepared statements.
 */
export function toPgPlaceholders(text: string): string {
  let converted = pgTexts.get(text);
  if (converted === undefined) {
    let n = 0;
    converted = text.replace(/\?/g, () => `$${++n}`);
    if (pgTexts.size < pgTextCacheSize) pgTexts.set(text, converted);
  }
  return converted;
}

const arrayQuoted = /["\\]/;
const validDate = (date: Date) => !Number.isNaN(date.getTime());

/** One element of an array literal (`pgParam`), or undefined for what only node-postgres encodes. */
function pgArrayElement(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return arrayQuoted.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date && validDate(value)) return `"${value.toISOString()}"`;
  return undefined;
}

/**
 * A parameter as node-postgres sends it (text), encoded here where that is cheaper: the driver
 * escapes every array element with two regular expressions and writes a Date in local time field by
 * field. Elements with neither `"` nor `\` need no escaping, and a Date goes as UTC (every timestamp
 * column is timestamptz). For a webhook batch's upsert parameters this took 95 instead of 120 µs
 * (bench event mix, 25 events). Anything else (nested arrays, buffers, objects, invalid dates) is
 * left to the driver, so it fails as it always did.
 */
export function pgParam(value: unknown): unknown {
  if (value instanceof Date) return validDate(value) ? value.toISOString() : value;
  if (!Array.isArray(value)) return value;
  let literal = '{';
  for (let i = 0; i < value.length; i++) {
    const element = pgArrayElement(value[i]);
    if (element === undefined) return value;
    literal += i === 0 ? element : `,${element}`;
  }
  return `${literal}}`;
}

class PostgresSql implements Sql {
  readonly dialect = 'postgresql' as const;
  /** Statements sent (pipelined) whose answers nobody has awaited yet, oldest first. */
  private unanswered: Promise<unknown>[] = [];
  constructor(private readonly connection: PgConnection) {}

  private get pipelined(): boolean {
    return this.connection.pipeline === true;
  }

  query<T>(text: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.afterUnanswered(this.issue(text, params)).then((result) => result.rows as T[]);
  }

  async send(text: string, params: readonly SqlParam[] = []): Promise<void> {
    if (!this.pipelined) {
      await this.query(text, params);
      return;
    }
    this.sent(this.issue(text, params));
  }

  /** Hands the statement to the driver, as a named prepared statement where it has a name. */
  private issue(text: string, params: readonly SqlParam[]) {
    const converted = toPgPlaceholders(text);
    const name = preparedStatementName(converted);
    const values = params.map(pgParam);
    return this.connection.query(name === undefined ? { text: converted, values } : { name, text: converted, values });
  }

  /**
   * BEGIN (with the transaction's settings, several statements: the simple protocol, no name). On a
   * pipelined connection the first statement goes out right behind it, in the same round trip.
   */
  async begin(text: string): Promise<void> {
    const begun = this.connection.query({ text, values: [] });
    if (this.pipelined) this.sent(begun);
    else await begun;
  }

  /**
   * COMMIT, once every statement sent before it has succeeded. PostgreSQL answers COMMIT of a failed
   * transaction with ROLLBACK, not an error: that answer fails here too.
   */
  async commit(): Promise<void> {
    const result = await this.afterUnanswered(this.connection.query({ text: 'commit', values: [] }));
    if (result.command !== 'COMMIT') throw new Error(`the transaction did not commit (the server answered ${String(result.command)})`);
  }

  /** Forgets what was sent and not awaited (the transaction is being rolled back). */
  abandon(): void {
    this.unanswered = [];
  }

  private sent(answer: Promise<unknown>): void {
    // Awaited by the next statement; until then a failure must not count as unhandled.
    answer.catch(() => undefined);
    this.unanswered.push(answer);
  }

  /**
   * `answer` once every statement sent before it has succeeded: the earliest failure is the one
   * reported (a later statement of a failed transaction only says it was aborted).
   */
  private afterUnanswered<R>(answer: Promise<R>): Promise<R> {
    if (this.unanswered.length === 0) return answer;
    const earlier = this.unanswered;
    this.unanswered = [];
    answer.catch(() => undefined);
    return Promise.all(earlier).then(() => answer);
  }
}

/** Outside a transaction each statement takes a pooled connection of its own, through knex. */
class PooledSql implements Sql {
  constructor(private readonly knex: Trx, readonly dialect: Dialect) {}

  async query<T>(text: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return rowsOf<T>(await this.knex.raw(text, params as never));
  }

  async send(text: string, params?: readonly SqlParam[]): Promise<void> {
    await this.query(text, params);
  }
}

const bound = new WeakMap<object, Sql>();

const driverSql = (connection: unknown, dialect: Dialect): Sql =>
  dialect === 'sqlite' ? new SqliteSql(connection as SqliteConnection) : new PostgresSql(connection as PgConnection);

/**
 * BEGIN on PostgreSQL, and for this transaction only, no sequential scans where an index serves.
 * Every read of a webhook batch looks a few dozen rows up by a unique key, and its statements run
 * as prepared statements whose generic plan a connection keeps: planned while a table was small (a
 * new database, the first minutes after a deploy), a lookup stayed a sequential scan as the table
 * grew, until an ANALYZE replanned it. (Not for the reconciler's pages: thousands of ids per
 * transaction, where hash joins over whole tables can be the better plan; measured slower with it.)
 * And always the generic plan: with the default, a batch of one or a few events got a custom plan
 * (cheaper than the generic one for so few rows), planned again on every execution; at concurrency
 * 16 that planning was a tenth of PostgreSQL's CPU (347–350 against 384–386 µs per event without).
 * Sent as one simple-protocol message: one round trip.
 */
const pgBegin = 'begin; set local enable_seqscan = off; set local plan_cache_mode = force_generic_plan';

/** knex's connection pool, as far as inTransaction uses it (the writer thread's pools offer the same). */
export interface TransactionPool {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

/** How knex marks a connection its pool must destroy instead of reusing (the reason, or undefined). */
interface Disposable {
  __knex__disposed?: unknown;
}

/** The mark inTransaction leaves on a connection whose rollback failed: it must not be used again. */
export const disposalOf = (connection: unknown): unknown => (connection as Disposable).__knex__disposed;

/**
 * Runs `work` in a transaction of its own on a connection of knex's pool, with BEGIN and COMMIT sent
 * straight to the driver: knex's transaction object (a whole query builder per transaction) cost more
 * CPU than the webhook path's statements. On SQLite the write lock is taken at BEGIN (IMMEDIATE),
 * so another process's write makes it wait out busy_timeout instead of failing mid-transaction.
 * A connection whose rollback fails is marked disposed: knex's pool destroys it instead of reusing it.
 */
export async function inTransaction<T>(knex: Knex, dialect: Dialect, work: (sql: Sql) => Promise<T>): Promise<T> {
  const pool = knex.client as TransactionPool;
  const connection = await pool.acquireConnection();
  const sql = driverSql(connection, dialect);
  try {
    if (sql instanceof PostgresSql) await sql.begin(pgBegin);
    else await sql.query('begin immediate');
    try {
      const result = await work(sql);
      if (sql instanceof PostgresSql) await sql.commit();
      else await sql.query('commit');
      return result;
    } catch (error) {
      if (sql instanceof PostgresSql) sql.abandon();
      // Rolled back unless nothing is left open: SQLite ends the transaction by itself on some errors
      // (a full disk, I/O), and PostgreSQL after a failed COMMIT (a ROLLBACK then only warns).
      const open = dialect !== 'sqlite' || (connection as { inTransaction?: boolean }).inTransaction !== false;
      if (open) {
        await sql.query('rollback').catch((rollbackError: unknown) => {
          (connection as Disposable).__knex__disposed = rollbackError;
        });
      }
      throw error;
    }
  } finally {
    await pool.releaseConnection(connection);
  }
}

/**
 * Runs `work` inside a savepoint of the open transaction: if it throws, its writes are undone and
 * the transaction goes on (the error is rethrown for the caller to handle). One name serves nested
 * savepoints too: both engines release and roll back to the innermost of a name.
 */
export async function withSavepoint<T>(sql: Sql, work: () => Promise<T>): Promise<T> {
  const name = 'cbs_isolate';
  await sql.query(`savepoint ${name}`);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await sql.query(`rollback to savepoint ${name}`);
    await sql.query(`release savepoint ${name}`);
    throw error;
  }
  await sql.query(`release savepoint ${name}`);
  return result;
}

/**
 * The runner for a knex handle: inside a transaction (a savepoint included: it shares its parent's
 * connection) statements go straight to that connection; outside one, through knex's pool.
 */
export async function sqlOf(trx: Trx, dialect: Dialect): Promise<Sql> {
  let sql = bound.get(trx);
  if (sql === undefined) {
    const transaction = trx as { isTransaction?: boolean; client: { acquireConnection(): Promise<unknown> } };
    if (transaction.isTransaction === true) {
      // A transaction's client hands out the transaction's own connection (and never releases it to the pool).
      sql = driverSql(await transaction.client.acquireConnection(), dialect);
    } else {
      sql = new PooledSql(trx, dialect);
    }
    bound.set(trx, sql);
  }
  return sql;
}

const ROWS_PER_INSERT = 500;

/** A column of a multi-row insert and its PostgreSQL type (for the array it is sent as). */
export interface InsertColumn {
  name: string;
  pgType: string;
}

/**
 * Multi-row INSERTs (reconcile bookkeeping, attribution history) without the query builder (for a
 * batch of a thousand records it spent more CPU building the statement than running it).
 * PostgreSQL gets one array per column through unnest: a statement of a few parameters instead of
 * thousands parses and plans in a fraction of the time. SQLite gets chunked VALUES lists.
 */
export async function insertRows<T = Record<string, unknown>>(
  sql: Sql, table: string, columns: readonly InsertColumn[], rows: readonly (readonly SqlParam[])[], suffix = '',
): Promise<T[]> {
  if (rows.length === 0) return [];
  if (sql.dialect === 'postgresql') {
    const { text, params } = pgInsert(table, columns, rows);
    return sql.query<T>(`${text}${suffix}`, params);
  }
  const names = columns.map((c) => c.name).join(', ');
  const returned: T[] = [];
  const tuple = placeholders(columns.length);
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const values: SqlParam[] = [];
    for (const row of chunk) for (const v of row) values.push(v);
    returned.push(...await sql.query<T>(`insert into ${table} (${names}) values ${new Array<string>(chunk.length).fill(tuple).join(', ')}${suffix}`, values));
  }
  return returned;
}

/**
 * The PostgreSQL statement of insertRows (one array per column; a column with one value for every
 * row, such as a run id or a timestamp, goes once, as a scalar), for callers that send it as part of
 * a larger statement.
 */
export function pgInsert(table: string, columns: readonly InsertColumn[], rows: readonly (readonly SqlParam[])[]): { text: string; params: SqlParam[] } {
  const names = columns.map((c) => c.name).join(', ');
  const constant = columns.map((_, i) => rows.length > 1 && rows.every((row) => sameValue(row[i] ?? null, rows[0]?.[i] ?? null)));
  if (constant.every(Boolean)) constant[0] = false;
  const params: unknown[] = [];
  const arrays: string[] = [];
  const select = columns.map((c, i) => {
    if (constant[i]) {
      params.push(rows[0]?.[i] ?? null);
      return `?::${c.pgType}`;
    }
    arrays.push(`?::${c.pgType}[]`);
    return `t.c${i}`;
  });
  const arrayParams = columns.flatMap((_, i) => (constant[i] ? [] : [rows.map((row) => row[i] ?? null)]));
  const aliases = columns.flatMap((_, i) => (constant[i] ? [] : [`c${i}`])).join(', ');
  // Scalars come first in the text, so their placeholders come first too.
  return {
    text: `insert into ${table} (${names}) select ${select.join(', ')} from unnest(${arrays.join(', ')}) as t(${aliases})`,
    params: [...params, ...arrayParams] as SqlParam[],
  };
}

function sameValue(a: SqlParam, b: SqlParam): boolean {
  return a === b || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());
}

/**
 * `column in (…)` for a list of text values: `= any(array)` on PostgreSQL (one parameter, so the
 * statement text is the same for any number of values), a list of placeholders on SQLite.
 */
export function inList(sql: Sql, column: string, values: readonly string[]): { text: string; params: SqlParam[] } {
  if (sql.dialect === 'postgresql') return { text: `${column} = any(?::text[])`, params: [values] };
  return { text: `${column} in ${placeholders(values.length)}`, params: [...values] };
}

/** `(?, ?, ?)` for a list of n values. */
export function placeholders(n: number): string {
  return `(${new Array<string>(n).fill('?').join(', ')})`;
}
