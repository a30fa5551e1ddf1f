import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/chargebee/rate-limiter.js';
import { classifyFailure, defaultRetryPolicy, retryDelay } from '../../src/chargebee/retry.js';
import { sdkConnection } from '../../src/chargebee/client.js';
import { repairKindFor } from '../../src/reconcile/compare.js';
import { netsForRound } from '../../src/reconcile/incremental.js';
import { formatProgress, formatSummary } from '../../src/reconcile/report.js';

describe('rate limiter', () => {
  it('never lets more than `limit` requests start within a window, nor more than `concurrency` run at once', async () => {
    const limiter = new RateLimiter({ limit: 5, windowMs: 200, concurrency: 2 });
    const starts: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    await Promise.all(Array.from({ length: 16 }, () => limiter.run(async () => {
      starts.push(Date.now());
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 15));
      inFlight--;
    })));
    starts.sort((a, b) => a - b);
    for (let i = 5; i < starts.length; i++) expect(starts[i] - starts[i - 5]).toBeGreaterThanOrEqual(200);
    expect(maxInFlight).toBeLessThanOrEqual(2);
  });
});

describe('retry policy', () => {
  const rateLimited = classifyFailure({ http_status_code: 429, api_error_code: 'api_request_limit_exceeded', headers: { 'retry-after': '3' } });
  it('classifies SDK rejections', () => {
    expect(rateLimited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
    expect(classifyFailure({ http_status_code: 503 }).kind).toBe('server');
    expect(classifyFailure({ type: 'timeout', http_status_code: 504 }).kind).toBe('timeout');
    expect(classifyFailure(new TypeError('fetch failed')).kind).toBe('network');
    expect(classifyFailure({ http_status_code: 401 }).kind).toBe('client');
  });
  it('honours Retry-After, backs off with capped jitter otherwise, and gives up in time', () => {
    expect(retryDelay(rateLimited, 1, defaultRetryPolicy, () => 0)).toBe(3000);
    expect(retryDelay(classifyFailure({ http_status_code: 401 }), 1, defaultRetryPolicy)).toBeNull();
    expect(retryDelay(classifyFailure({ http_status_code: 500 }), defaultRetryPolicy.maxRetries + 1, defaultRetryPolicy)).toBeNull();
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, r) => {
      const delay = retryDelay(classifyFailure({ http_status_code: 429 }), attempt, defaultRetryPolicy, () => r);
      const ceiling = Math.min(defaultRetryPolicy.maxDelayMs, defaultRetryPolicy.baseDelayMs * 2 ** (attempt - 1));
      return delay !== null && delay >= ceiling / 2 && delay <= ceiling;
    }));
  });
});

describe('pure reconcile helpers', () => {
  it('maps CHARGEBEE_API_URL onto the SDK connection options', () => {
    expect(sdkConnection('acme')).toEqual({ site: 'acme' });
    expect(sdkConnection('x', 'http://127.0.0.1:8787')).toEqual({ site: '127.0.0.1', hostSuffix: '', protocol: 'http', port: 8787, apiPath: '/api/v2' });
    expect(sdkConnection('x', 'https://acme-test.chargebee.com/api/v2')).toMatchObject({ site: 'acme-test.chargebee.com', port: 443, protocol: 'https' });
  });
  it('classifies repairs the way the apply guard decides', () => {
    expect(repairKindFor(undefined, { version: 1, deleted: false })).toBe('missing');
    expect(repairKindFor({ version: 1, deleted: false }, { version: 2, deleted: false })).toBe('stale');
    expect(repairKindFor({ version: 2, deleted: false }, { version: 2, deleted: true })).toBe('deleted_upstream');
    expect(repairKindFor({ version: 3, deleted: false }, { version: 2, deleted: false })).toBeNull();
    expect(repairKindFor({ version: 2, deleted: true }, { version: 2, deleted: true })).toBeNull();
  });
  it('rotates the second net so every resource is listed within two runs', () => {
    const rounds = [0, 1, 2].map((r) => netsForRound(r, 2));
    expect(rounds.every((r) => r.length === 2)).toBe(true);
    for (let r = 0; r < 5; r++) expect(new Set([...netsForRound(r, 2), ...netsForRound(r + 1, 2)]).size).toBe(3);
    expect(netsForRound(7, 3)).toEqual(['customer', 'subscription', 'transaction']);
  });
  it('formats progress with an ETA and a summary table', () => {
    const line = formatProgress({ runId: 4, mode: 'full', phase: 'customer', scanned: 500, repairs: 3, apiCalls: 5, rateLimited: 1, elapsedMs: 60_000, expected: 1000 });
    expect(line).toContain('scanned 500/~1,000');
    expect(line).toContain('ETA 1m00s');
    const table = formatSummary({
      id: 4, mode: 'full', dryRun: true, status: 'partial', trigger: 'cli', startedAt: new Date(0), finishedAt: new Date(90_000),
      scanned: { customer: 10 }, repairs: { stale: 2 }, apiCalls: 3, rateLimited: 0, watermark: null, error: 'boom', resumed: false,
    });
    expect(table).toMatch(/status\s+partial/);
    expect(table).toMatch(/repairs stale\s+2/);
    expect(table).toMatch(/dry run/);
  });
});
