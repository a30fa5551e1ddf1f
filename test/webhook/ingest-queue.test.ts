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

  it('starts another transaction while one is in flight only once as many events wait as the last one took', async () => {
    const batches: string[][] = [];
    const releases: (() => void)[] = [];
    const queue = new IngestQueue((items) => {
      batches.push(items.map((i) => i.event.id));
      return new Promise((resolve) => releases.push(() => resolve(applied(items))));
    }, { maxBatch: 10, maxConcurrent: 2, maxPending: 100 });
    const submit = (id: string) => queue.submit(event(id), {});
    // Lets the queue see a transaction end (its bookkeeping runs after the callers are answered).
    const endOldest = async () => {
      releases.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    };

    const first = [submit('a'), submit('b')];
    // [a] in flight; b alone is as many events as [a] had: it takes the second slot at once.
    expect(batches).toEqual([['a'], ['b']]);
    const large = ['l1', 'l2', 'l3', 'l4'].map(submit);
    expect(batches).toHaveLength(2); // both slots busy
    await endOldest();
    expect(batches[2]).toEqual(['l1', 'l2', 'l3', 'l4']);
    await endOldest(); // [b] ends: [l1-l4] is in flight, a slot is free
    const few = ['f1', 'f2'].map(submit);
    // 2 waiting < 4 in the last batch: they wait for the one in flight instead of taking the slot.
    expect(batches).toHaveLength(3);
    await endOldest();
    expect(batches[3]).toEqual(['f1', 'f2']);
    // With [f1, f2] in flight, two more waiting are as many: they take the free slot.
    const more = ['m1', 'm2'].map(submit);
    expect(batches[4]).toEqual(['m1', 'm2']);
    await endOldest();
    await endOldest();
    await Promise.all([...first, ...large, ...few, ...more]);
    await queue.drained();
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
