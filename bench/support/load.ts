import autocannon from 'autocannon';
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
}

/**
 * Drives the webhook endpoint over HTTP with autocannon (keep-alive connections = concurrency,
 * no pipelining): each request takes the next body of the event stream, so event ids are unique.
 */
export async function loadWebhooks(options: {
  url: string; authorization: string; concurrency: number; seconds: number; nextBody: () => string;
}): Promise<LoadFigures> {
  const result = await autocannon({
    url: `${options.url}/webhooks/chargebee`,
    connections: options.concurrency,
    pipelining: 1,
    duration: options.seconds,
    timeout: 30,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: options.authorization },
    requests: [{ setupRequest: (req) => ({ ...req, body: options.nextBody() }) }],
  });
  const ok = result['2xx'];
  return {
    concurrency: options.concurrency,
    seconds: round(result.duration, 2),
    events: ok,
    eventsPerSecond: round(ok / result.duration, 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
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
      } catch {
        failures++;
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
  };
}
