/** The part of a better-sqlite3 connection the setup below touches. */
interface SqliteConnection {
  prepare(sql: string): unknown;
  pragma(source: string): unknown;
}

const statementCacheSize = 500;

/**
 * Per-connection setup for SQLite, run by the pool on every new connection:
 * - WAL lets GraphQL reads proceed while a webhook commits; busy_timeout rides out another process's write;
 * - prepared statements are reused: knex prepares every query afresh, which cost about a tenth of the
 *   webhook path's CPU. The apply path's SQL has few distinct shapes, so a small cache holds them all.
 */
export function setUpSqliteConnection(connection: SqliteConnection): void {
  connection.pragma('journal_mode = wal');
  connection.pragma('synchronous = normal');
  connection.pragma('busy_timeout = 5000');
  const prepare = connection.prepare.bind(connection);
  const cache = new Map<string, unknown>();
  connection.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (cache.size >= statementCacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(sql, statement);
    }
    return statement;
  };
}
