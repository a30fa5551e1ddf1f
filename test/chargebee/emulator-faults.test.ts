// Rate limiting, fault injection and request stats, observed through the real SDK.
import Chargebee from 'chargebee';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/chargebee/emulator/index.js';
import { Stats } from '../../src/chargebee/emulator/stats.js';
import { API_KEY, sdkError, sdkFor } from './emulator-helpers.js';

let emu: Emulator;
let cb: Chargebee;

beforeAll(async () => {
  emu = await startEmulator({ apiKey: API_KEY });
  cb = sdkFor(emu);
});
afterAll(async () => emu.close());
beforeEach(() => {
  emu.reset();
  emu.customers.create({ first_name: 'only' });
});

describe('rate limit', () => {
  it('answers 429 api_request_limit_exceeded with Retry-After once the window is full', async () => {
    emu.faults.set({ rateLimit: { limit: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) await cb.customer.list();
    const err = await sdkError(cb.customer.list());
    expect(err).toMatchObject({ http_status_code: 429, api_error_code: 'api_request_limit_exceeded', type: 'operation_failed' });
    expect(Number(err.headers?.['retry-after'])).toBeGreaterThanOrEqual(59);
    await sdkError(cb.customer.list());
    const s = emu.stats.snapshot();
    expect(s.rateLimited).toBe(2);
    expect(s.byStatus).toMatchObject({ '200': 3, '429': 2 });
    expect(s.byPath['/api/v2/customers']).toBe(5);
    expect(emu.maxRequestsInAnyWindow(60_000)).toBe(5);
    expect(emu.maxRequestsInAnyWindow(60_000, { includeRejected: false })).toBe(3);
  });

  it('omits Retry-After when configured so', async () => {
    emu.faults.set({ rateLimit: { limit: 1, windowMs: 60_000, retryAfter: false } });
    await cb.customer.list();
    const err = await sdkError(cb.customer.list());
    expect(err.http_status_code).toBe(429);
    expect(err.headers?.['retry-after']).toBeUndefined();
    // With its retries on, the SDK gives up at once on a 429 without Retry-After.
    const retrying = sdkFor(emu, { retry: true });
    expect((await sdkError(retrying.customer.list())).http_status_code).toBe(429);
  });

  it('lets the window slide: requests are admitted again after windowMs', async () => {
    emu.faults.set({ rateLimit: { limit: 2, windowMs: 300 } });
    await cb.customer.list();
    await cb.customer.list();
    expect((await sdkError(cb.customer.list())).http_status_code).toBe(429);
    await new Promise((r) => setTimeout(r, 320));
    await expect(cb.customer.list()).resolves.toBeDefined();
  });

  it('the SDK with retries enabled waits Retry-After and then succeeds', async () => {
    emu.faults.set({ rateLimit: { limit: 1, windowMs: 1000 } });
    const retrying = sdkFor(emu, { retry: true });
    await retrying.customer.list();
    const t0 = Date.now();
    const res = await retrying.customer.list();
    expect(res.list).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(emu.stats.rateLimited).toBe(1);
  });

  it('applies the rate limit given at start and counts it per emulator', async () => {
    const limited = await startEmulator({ apiKey: API_KEY, rateLimit: { limit: 2, windowMs: 60_000, mode: 'fixed' } });
    try {
      const c = sdkFor(limited);
      await c.customer.list();
      await c.customer.list();
      expect((await sdkError(c.customer.list())).http_status_code).toBe(429);
      limited.reset(); // keeps the start-time limit but empties its window
      await expect(c.customer.list()).resolves.toBeDefined();
    } finally {
      await limited.close();
    }
  });
});

describe('maxRequestsInAnyWindow', () => {
  it('finds the densest window of the request log', () => {
    const stats = new Stats();
    for (const at of [0, 100, 900, 1000, 1050, 1999, 3000]) stats.begin('GET', '/api/v2/customers', at);
    expect(stats.maxRequestsInAnyWindow(1000)).toBe(4); // [100, 1100) holds 100, 900, 1000, 1050
    expect(stats.maxRequestsInAnyWindow(100)).toBe(2);
    expect(stats.maxRequestsInAnyWindow(10_000)).toBe(7);
    expect(stats.maxRequestsInAnyWindow(1000, { pathPrefix: '/api/v2/events' })).toBe(0);
  });
});

describe('fault injection', () => {
  it('failNext answers 5xx with a Chargebee error body, then recovers', async () => {
    emu.faults.set({ failNext: 2 });
    expect(await sdkError(cb.customer.list())).toMatchObject({ http_status_code: 500, api_error_code: 'internal_error' });
    expect((await sdkError(cb.customer.list())).http_status_code).toBe(500);
    await expect(cb.customer.list()).resolves.toBeDefined();
    emu.faults.set({ failNext: 1, failStatus: 503 });
    expect(await sdkError(cb.customer.list())).toMatchObject({ http_status_code: 503, api_error_code: 'internal_temporary_error' });
    expect(emu.stats.injectedFailures).toBe(3);
  });

  it('the SDK retry policy gets past injected 5xx', async () => {
    emu.faults.set({ failNext: 2 });
    const retrying = new Chargebee({ ...emu.sdkConfig(), retryConfig: { enabled: true, delayMs: 5, maxRetries: 3 } });
    const res = await retrying.customer.list();
    expect(res.list).toHaveLength(1);
    expect(emu.stats.snapshot().byStatus).toMatchObject({ '500': 2, '200': 1 });
  });

  it('pathPrefix limits faults to matching API paths', async () => {
    emu.faults.set({ failNext: 1, pathPrefix: '/events' });
    await expect(cb.customer.list()).resolves.toBeDefined();
    expect((await sdkError(cb.event.list())).http_status_code).toBe(500);
    await expect(cb.event.list()).resolves.toBeDefined();
  });

  it('adds latency', async () => {
    emu.faults.set({ latencyMs: 150 });
    const t0 = Date.now();
    await cb.customer.list();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    emu.faults.set({ latencyMs: 0 });
    const t1 = Date.now();
    await cb.customer.list();
    expect(Date.now() - t1).toBeLessThan(140);
  });

  it('timeoutNext hangs until the client gives up; hangMs drops the connection', async () => {
    emu.faults.set({ timeoutNext: 1 });
    const impatient = sdkFor(emu, { timeout: 300 });
    const t0 = Date.now();
    const err = await sdkError(impatient.customer.list());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(err.type).toBe('timeout');
    await expect(impatient.customer.list()).resolves.toBeDefined();
    emu.faults.set({ timeoutNext: 1, hangMs: 50 });
    await expect(fetch(`${emu.url}/api/v2/customers`)).rejects.toThrow();
    expect(emu.stats.injectedTimeouts).toBe(2);
    expect(emu.faults.state()).toMatchObject({ timeoutNext: 0, failNext: 0 });
  });

  it('rejects invalid fault settings', () => {
    expect(() => emu.faults.set({ failNext: -1 })).toThrow(RangeError);
    expect(() => emu.faults.set({ rateLimit: { limit: 0, windowMs: 10 } })).toThrow(RangeError);
  });
});
