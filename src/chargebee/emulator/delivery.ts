// Webhook delivery with the failure modes Chargebee really has: at-least-once
// (duplicates), out-of-order arrival, and (simulated) loss. Deterministic for a
// given seed. Events not acknowledged with a 2xx stay "undelivered" so a later
// deliver() resends them, as Chargebee's retry schedule would.
import { mulberry32, shuffle, type Rng } from './rng.js';
import type { Store } from './store.js';
import type { ChargebeeEvent } from './types.js';

export interface RetryPolicy {
  /** Total attempts per delivery, first included. Default 8 (Chargebee: 1 + 7 retries). */
  maxAttempts?: number;
  /** Delay before retry n is delayMs * 2^(n-1). Default 10 (the real schedule takes days). */
  delayMs?: number;
}

export interface DeliverOptions {
  url: string;
  username?: string;
  password?: string;
  /** Which events: not yet delivered (default), all, or these ids in this order. */
  events?: 'undelivered' | 'all' | string[];
  /** Lose these ids, or each event with this probability. Lost events count as handled. */
  drop?: string[] | number;
  /** Send these ids twice, or each event with this probability. */
  duplicate?: string[] | number;
  /** Shuffle the send order (seeded). Without it events go out oldest first, duplicates right after the original. */
  reorder?: boolean;
  seed?: number;
  /** Parallel in-flight POSTs. Default 1 (so arrival order equals send order). */
  concurrency?: number;
  /** Retry non-2xx / network errors, bounded. */
  retryUntil2xx?: boolean | RetryPolicy;
  /** Per-POST timeout. Default 10_000 ms (Chargebee's test-site read timeout). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface DeliveryAttempt {
  eventId: string;
  attempt: number;
  /** HTTP status, or 0 on a network error / timeout. */
  status: number;
  error?: string;
  ms: number;
}

export interface DeliveryReport {
  selected: number;
  /** POSTs made, including duplicates and retries. */
  sent: number;
  delivered: string[];
  failed: string[];
  dropped: string[];
  duplicated: string[];
  /** Send order of deliveries (a duplicated id appears twice). */
  order: string[];
  /** Every attempt's status per event id. */
  statuses: Record<string, number[]>;
  attempts: DeliveryAttempt[];
}

function selectEvents(store: Store, which: DeliverOptions['events']): ChargebeeEvent[] {
  if (Array.isArray(which)) {
    return which.map((id) => {
      const ev = store.events.get(id);
      if (!ev) throw new Error(`deliver: unknown event ${id}`);
      return ev;
    });
  }
  const all = store.events.sorted('occurred_at');
  return which === 'all' ? all.slice() : all.filter((e) => store.undelivered.has(e.id));
}

function chooser(spec: string[] | number | undefined, rng: Rng): (id: string) => boolean {
  if (spec === undefined) return () => false;
  if (Array.isArray(spec)) {
    const set = new Set(spec);
    return (id) => set.has(id);
  }
  return () => rng() < spec;
}

export async function deliver(store: Store, opts: DeliverOptions): Promise<DeliveryReport> {
  const rng = mulberry32(opts.seed ?? 1);
  const selected = selectEvents(store, opts.events ?? 'undelivered');
  const isDropped = chooser(opts.drop, rng);
  const isDuplicated = chooser(opts.duplicate, rng);
  const report: DeliveryReport = { selected: selected.length, sent: 0, delivered: [], failed: [], dropped: [], duplicated: [], order: [], statuses: {}, attempts: [] };
  let queue: ChargebeeEvent[] = [];
  for (const ev of selected) {
    if (isDropped(ev.id)) {
      report.dropped.push(ev.id);
      store.undelivered.delete(ev.id);
      continue;
    }
    queue.push(ev);
    if (isDuplicated(ev.id)) {
      report.duplicated.push(ev.id);
      queue.push(ev);
    }
  }
  if (opts.reorder) queue = shuffle(queue, rng);
  report.order = queue.map((e) => e.id);

  const retry: Required<RetryPolicy> | null = opts.retryUntil2xx
    ? { maxAttempts: 8, delayMs: 10, ...(typeof opts.retryUntil2xx === 'object' ? opts.retryUntil2xx : {}) }
    : null;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'ChargeBee', ...opts.headers };
  if (opts.username !== undefined || opts.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${opts.username ?? ''}:${opts.password ?? ''}`).toString('base64')}`;
  }
  const acked = new Set<string>();

  const sendOne = async (ev: ChargebeeEvent): Promise<void> => {
    const maxAttempts = retry?.maxAttempts ?? 1;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1 && retry) await new Promise((r) => setTimeout(r, retry.delayMs * 2 ** (attempt - 2)));
      const t0 = performance.now();
      const rec: DeliveryAttempt = { eventId: ev.id, attempt, status: 0, ms: 0 };
      try {
        // Send the stored envelope as it is now (webhook_status may have changed since it was queued).
        const body = JSON.stringify(store.events.get(ev.id) ?? ev);
        const res = await fetch(opts.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
        await res.arrayBuffer();
        rec.status = res.status;
      } catch (err) {
        rec.error = err instanceof Error ? err.message : String(err);
      }
      rec.ms = Math.round(performance.now() - t0);
      report.sent += 1;
      report.attempts.push(rec);
      (report.statuses[ev.id] ??= []).push(rec.status);
      if (rec.status >= 200 && rec.status < 300) {
        acked.add(ev.id);
        return;
      }
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      const ev = queue[next++];
      await sendOne(ev);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, worker));

  for (const ev of new Set(queue)) {
    if (acked.has(ev.id)) {
      report.delivered.push(ev.id);
      store.undelivered.delete(ev.id);
      store.setWebhookStatus(ev.id, 'succeeded');
    } else {
      report.failed.push(ev.id);
      store.setWebhookStatus(ev.id, 'failed');
    }
  }
  return report;
}
