import { loadHttp } from './http-loader.js';
import { percentile, round } from './types.js';

export interface LoadFigures {
  concurrency: number;
  seconds: number;
  /** Events answered 2xx (the service) or committed (the baseline), duplicates included. */
  events: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Non-2xx answers, connection errors and timeouts (should all be 0). */
  failures: number;
  /** The first failure's message (the in-process baseline), so a broken baseline says why. */
  firstFailure?: string;
}

/**
 * Drives the webhook endpoint over HTTP with the lean loader of http-loader.ts (keep-alive
 * connections = concurrency, no pipelining): each request takes the next body of the event stream,
 * so event ids are unique. Requests in flight when the time is up are awaited and counted.
 */
export async function loadWebhooks(options: {
  url: string; authorization: string; concurrency: number; seconds: number; nextBody: () => string;
}): Promise<LoadFigures> {
  const result = await loadHttp({
    url: `${options.url}/webhooks/chargebee`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: options.authorization },
    concurrency: options.concurrency,
    seconds: options.seconds,
    timeoutMs: 30_000,
    nextBody: options.nextBody,
  });
  return {
    concurrency: options.concurrency,
    seconds: result.seconds,
    events: result.ok,
    eventsPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    maxMs: result.maxMs,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * A closed loop for the in-process baseline: `concurrency` workers, each writing the next event as
 * soon as its previous one committed, for `seconds`. Latency is time from start of write to commit.
 */
export async function closedLoop(options: {
  concurrency: number; seconds: number; nextBody: () => string; worker: (index: number) => (body: string) => Promise<void>;
}): Promise<LoadFigures> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  const until = started + options.seconds * 1000;
  const run = async (index: number) => {
    const write = options.worker(index);
    while (performance.now() < until) {
      const body = options.nextBody();
      const t0 = performance.now();
      try {
        await write(body);
        latencies.push(performance.now() - t0);
      } catch (error) {
        failures++;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => run(i)));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    concurrency: options.concurrency,
    seconds: round(seconds, 2),
    events: latencies.length,
    eventsPerSecond: round(latencies.length / seconds, 0),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    maxMs: round(latencies[latencies.length - 1] ?? 0, 2),
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}
