import { serviceAuthHeader, sleep } from './service-process.js';

export interface Delivery {
  eventId: string;
  body: string;
}

export interface SenderOptions {
  /** Where to POST; delivery i goes to targets[i % n], each retry to the next target. */
  targets: readonly string[] | (() => readonly string[]);
  concurrency: number;
  /** Pause before resending a delivery that was not answered 2xx. */
  retryDelayMs?: number;
  /** Per-attempt timeout (Chargebee's is 10–60 s; ours only has to outlast the service's 5 s pool wait). */
  timeoutMs?: number;
  /** Give up (and fail the run) after this long. */
  deadlineMs?: number;
  /** Called after each 2xx with the number acknowledged so far. */
  onAck?: (acked: number) => void;
  /** Called after every attempt (status 0 = no answer), when it was answered. */
  onAttempt?: (attempt: { eventId: string; target: string; status: number; at: number }) => void;
}

export interface SendReport {
  /** Per delivery, every HTTP status received in order (0 = no answer: refused, reset, timeout). */
  statuses: number[][];
  ackedEventIds: Set<string>;
  attempts: number;
  seconds: number;
}

/**
 * A Chargebee-like sender: at-least-once delivery, every delivery not answered 2xx is sent again
 * after a short pause (Chargebee waits minutes; the tests compress time), several in flight at once.
 */
export async function sendAll(deliveries: readonly Delivery[], options: SenderOptions): Promise<SendReport> {
  const started = Date.now();
  const deadline = started + (options.deadlineMs ?? 240_000);
  const statuses: number[][] = deliveries.map(() => []);
  const acked = new Set<string>();
  let ackCount = 0;
  let attempts = 0;
  let next = 0;
  const targetsNow = () => (typeof options.targets === 'function' ? options.targets() : options.targets);

  const deliver = async (index: number): Promise<void> => {
    const delivery = deliveries[index] as Delivery;
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new Error(`delivery ${delivery.eventId} not acknowledged before the deadline: ${statuses[index]?.join(',')}`);
      const targets = targetsNow();
      const target = targets[(index + attempt) % targets.length] as string;
      attempts++;
      const status = await post(target, delivery.body, options.timeoutMs ?? 15_000);
      statuses[index]?.push(status);
      options.onAttempt?.({ eventId: delivery.eventId, target, status, at: Date.now() });
      if (status >= 200 && status < 300) {
        acked.add(delivery.eventId);
        options.onAck?.(++ackCount);
        return;
      }
      await sleep((options.retryDelayMs ?? 50) * Math.min(4, attempt + 1));
    }
  };

  const worker = async () => {
    while (next < deliveries.length) await deliver(next++);
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { statuses, ackedEventIds: acked, attempts, seconds: (Date.now() - started) / 1000 };
}

async function post(url: string, body: string, timeoutMs: number): Promise<number> {
  try {
    const res = await fetch(`${url}/webhooks/chargebee`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: serviceAuthHeader },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Every status any delivery received, counted. */
export function statusCounts(report: SendReport): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const list of report.statuses) for (const s of list) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}
