/** The part of a better-sqlite3 connection the setup below touches. */
interface SqliteConnection {
  prepare(sql: string): unknown;
  pragma(source: string): unknown;
}

const statementCacheSize = 500;
/** The statement knex's SQLite clients begin a transaction with. */
const knexBegin = 'BEGIN;';

/**
 * Per-connection setup for SQLite, run by the pool on every new connection:
 * - WAL lets GraphQL reads proceed while a webhook commits; busy_timeout rides out another process's write;
 * - checkpoints are made rarer (below);
 * - prepared statements are reused: knex prepares every query afresh, which cost about a tenth of the
 *   webhook path's CPU. The apply path's SQL has few distinct shapes, so a small cache holds them all.
 */
export function setUpSqliteConnection(connection: SqliteConnection): void {
  connection.pragma('journal_mode = wal');
  connection.pragma('synchronous = normal');
  connection.pragma('busy_timeout = 5000');
  // Checkpoints (copying the WAL back into the database file, with two fsyncs) run at the end of the
  // commit that crosses this many pages, on the webhook path. 1000 (the default) made them about a
  // third of a webhook's cost; 8000 pages (32 MiB of WAL) checkpoints an eighth as often, and pages
  // written again in between are copied once.
  connection.pragma('wal_autocheckpoint = 8000');
  // After a checkpoint the WAL file is cut back to this size rather than kept at its largest.
  connection.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const prepare = connection.prepare.bind(connection);
  const cache = new Map<string, unknown>();
  connection.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      // knex begins its transactions DEFERRED: one that reads first and writes after fails with
      // SQLITE_BUSY, without waiting, if another connection (the webhook writer thread, a
      // reconcile process) wrote in between. IMMEDIATE takes the write lock at BEGIN,
      // where busy_timeout waits for it.
      statement = prepare(sql === knexBegin ? 'BEGIN IMMEDIATE;' : sql);
      if (cache.size >= statementCacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(sql, statement);
    }
    return statement;
  };
}
