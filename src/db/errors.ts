/**
 * Database errors that will happen again however often the same write is retried (bad data, a
 * violated constraint). Everything else (connection refused, pool timeout, shutdown, deadlock,
 * serialisation failure, SQLITE_BUSY) is treated as transient.
 */
export function isLastingDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  if (/^2[23][0-9A-Z]{3}$/.test(code)) return true; // PostgreSQL: data exception, integrity constraint violation
  return /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
