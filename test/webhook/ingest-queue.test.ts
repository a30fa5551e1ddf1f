import { describe, expect, it } from 'vitest';
import { IngestQueue, QueueFullError } from '../../src/webhook/ingest-queue.js';
import type { IngestItem, IngestResult } from '../../src/sync/ingest.js';
import { parseEnvelope } from '../../src/sync/ingest.js';
import { customer, envelope } from '../support/events.js';

const event = (id: string) => parseEnvelope(envelope('customer_created', { customer: customer(`c_${id}`, 1_700_000_000_000) }, { id }));
const applied = (items: IngestItem[]): IngestResult[] =>
  items.map((item) => ({ eventId: item.event.id, duplicate: false, status: 'applied', error: null }));

describe('IngestQueue', () => {
  it('batches what arrives while a transaction is in flight, and answers each caller with its own result', async () => {
    const batches: string[][] = [];
    const queue = new IngestQueue(async (items) => {
      batches.push(items.map((i) => i.event.id));
      await new Promise((resolve) => setTimeout(resolve, 20));
      return applied(items);
    }, { maxBatch: 10, maxConcurrent: 1, maxPending: 100 });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((id) => queue.submit(event(id), {})));
    expect(results.map((r) => r.eventId)).toEqual(['a', 'b', 'c', 'd']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('rejects the batch of a writer that throws instead of returning a promise, and goes on', async () => {
    let calls = 0;
    const queue = new IngestQueue((items) => {
      calls += 1;
      if (calls === 1) throw new Error('could not start');
      return Promise.resolve(applied(items));
    }, { maxBatch: 10, maxConcurrent: 1, maxPending: 100 });
    await expect(queue.submit(event('x'), {})).rejects.toThrow('could not start');
    await expect(queue.submit(event('y'), {})).resolves.toMatchObject({ eventId: 'y', status: 'applied' });
    await queue.drained();
  });

  it('refuses events beyond maxPending', async () => {
    let release: () => void = () => undefined;
    const queue = new IngestQueue((items) => new Promise((resolve) => {
      release = () => resolve(applied(items));
    }), { maxBatch: 1, maxConcurrent: 1, maxPending: 1 });
    const first = queue.submit(event('p1'), {});
    const second = queue.submit(event('p2'), {});
    await expect(queue.submit(event('p3'), {})).rejects.toBeInstanceOf(QueueFullError);
    release();
    await first;
    // The next batch starts once the first has settled.
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    await second;
  });
});
