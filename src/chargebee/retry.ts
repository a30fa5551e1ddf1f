/** How the client reacts to a failed call: pure functions, so the policy is tested without a server. */

export type FailureKind = 'rate_limited' | 'server' | 'timeout' | 'network' | 'client';

export interface ClassifiedFailure {
  kind: FailureKind;
  status: number | null;
  code: string | null;
  message: string;
  /** Retry-After in ms when the server sent one. */
  retryAfterMs: number | null;
}

/** The SDK rejects with plain objects or ChargebeeError instances (timeouts too); fetch with TypeError. */
export function classifyFailure(error: unknown): ClassifiedFailure {
  const e = (error ?? {}) as { http_status_code?: unknown; api_error_code?: unknown; type?: unknown; message?: unknown; headers?: unknown; cause?: unknown };
  const status = typeof e.http_status_code === 'number' ? e.http_status_code : null;
  const code = typeof e.api_error_code === 'string' ? e.api_error_code : null;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const headers = (e.headers !== null && typeof e.headers === 'object' ? e.headers : {}) as Record<string, unknown>;
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  let kind: FailureKind;
  if (e.type === 'timeout') kind = 'timeout';
  else if (status === 429 || code === 'api_request_limit_exceeded' || code === 'lock_timeout') kind = 'rate_limited';
  else if (status !== null && status >= 500) kind = 'server';
  else if (status === null) kind = 'network';
  else kind = 'client';
  return { kind, status, code, message, retryAfterMs };
}

/** Retry-After is whole seconds (or an HTTP date, which Chargebee does not send but costs nothing to read). */
export function parseRetryAfter(value: unknown): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export interface RetryPolicy {
  /** Retries for 5xx, timeouts and network errors. */
  maxRetries: number;
  /** Retries for 429; higher, because waiting is the cure and the budget still holds. */
  maxRateLimitRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 4, maxRateLimitRetries: 12, baseDelayMs: 500, maxDelayMs: 60_000 };

/**
 * The wait before retry number `attempt` (1-based), or null to give up. Jitter (half to all of the
 * exponential step) spreads the retries of clients sharing a site; Retry-After is honoured when sent.
 */
export function retryDelay(failure: ClassifiedFailure, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number | null {
  if (failure.kind === 'client') return null;
  const limit = failure.kind === 'rate_limited' ? policy.maxRateLimitRetries : policy.maxRetries;
  if (attempt > limit) return null;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
  if (failure.kind === 'rate_limited' && failure.retryAfterMs !== null) {
    return Math.min(policy.maxDelayMs, failure.retryAfterMs) + Math.round(random() * policy.baseDelayMs / 4);
  }
  return jittered;
}
