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

/**
 * PostgreSQL chose this transaction as a deadlock's victim, or could not serialise it: nothing is
 * wrong with what it wrote, and running it again is expected to succeed.
 */
export function isTransactionConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * What of an error may be logged: its class, code and message. Database errors also carry `detail`,
 * `where` or the failing SQL's parameters, which can hold payload data (personal data), so those stay out.
 */
export function loggableError(error: unknown): { type: string; code?: string; message: string; stack?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const message = errorMessage(error);
  const frames = error instanceof Error ? error.stack?.split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 12).join('\n') : undefined;
  return {
    type: error instanceof Error ? error.name : typeof error,
    ...(typeof code === 'string' ? { code } : {}),
    message: message.length > 300 ? `${message.slice(0, 300)}…` : message,
    ...(frames ? { stack: frames } : {}),
  };
}
