// Webhook delivery against a tiny local receiver, plus a property test of list paging.
import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type ChargebeeEvent, type Emulator } from '../../src/chargebee/emulator/index.js';
import { Collection } from '../../src/chargebee/emulator/collection.js';
import { paginate, parseListQuery } from '../../src/chargebee/emulator/list.js';
import type { BaseRecord } from '../../src/chargebee/emulator/types.js';
import { API_KEY } from './emulator-helpers.js';

interface Received {
  id: string;
  auth: string | undefined;
  body: ChargebeeEvent;
}

let emu: Emulator;
let receiver: Server;
let hookUrl: string;
let received: Received[] = [];
/** Per event id: how many more attempts to answer 500 before accepting. */
let failuresLeft = new Map<string, number>();

beforeAll(async () => {
  emu = await startEmulator({ apiKey: API_KEY });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChargebeeEvent;
      const left = failuresLeft.get(body.id) ?? 0;
      if (left > 0) {
        failuresLeft.set(body.id, left - 1);
        res.writeHead(500).end();
        return;
      }
      received.push({ id: body.id, auth: req.headers.authorization, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/chargebee/webhook`;
});
afterAll(async () => {
  await emu.close();
  await new Promise((r) => receiver.close(r));
});
beforeEach(() => {
  emu.reset();
  received = [];
  failuresLeft = new Map();
});

function makeEvents(n: number): string[] {
  for (let i = 0; i < n; i++) {
    emu.clock.advance(1000);
    emu.customers.create({ first_name: `c${i}` });
  }
  return emu.events.all().map((e) => e.id);
}

describe('webhook delivery', () => {
  it('delivers every event in order with basic auth and the stored envelope', async () => {
    const ids = makeEvents(5);
    const report = await emu.deliver({ url: hookUrl, username: 'hook', password: 's3cret' });
    expect(received.map((r) => r.id)).toEqual(ids);
    expect(report).toMatchObject({ selected: 5, sent: 5, delivered: ids, failed: [], dropped: [], duplicated: [] });
    expect(received[0].auth).toBe(`Basic ${Buffer.from('hook:s3cret').toString('base64')}`);
    expect(received[0].body).toMatchObject({ id: ids[0], object: 'event', event_type: 'customer_created', api_version: 'v2' });
    expect(received[0].body.content).toEqual(emu.events.get(ids[0])?.content);
    expect(emu.events.get(ids[0])?.webhook_status).toBe('succeeded');
    // Nothing left to deliver; a new event is the only one sent next time.
    expect(emu.events.undelivered()).toEqual([]);
    emu.customers.create({});
    const next = await emu.deliver({ url: hookUrl });
    expect(next.selected).toBe(1);
  });

  it('drops, duplicates and reorders deterministically for a seed', async () => {
    const ids = makeEvents(40);
    const chaos = { url: hookUrl, events: 'all' as const, drop: 0.2, duplicate: 0.25, reorder: true, seed: 42 };
    const report = await emu.deliver(chaos);
    const got = received.map((r) => r.id);
    expect(report.dropped.length).toBeGreaterThan(0);
    expect(report.duplicated.length).toBeGreaterThan(0);
    expect(got).toEqual(report.order);
    expect(new Set(got)).toEqual(new Set(ids.filter((id) => !report.dropped.includes(id))));
    for (const id of report.duplicated) expect(got.filter((x) => x === id)).toHaveLength(2);
    expect(got.length).toBe(ids.length - report.dropped.length + report.duplicated.length);
    expect(got).not.toEqual([...got].sort((a, b) => ids.indexOf(a) - ids.indexOf(b)));

    const first = { order: report.order, dropped: report.dropped, duplicated: report.duplicated };
    received = [];
    const again = await emu.deliver(chaos);
    expect({ order: again.order, dropped: again.dropped, duplicated: again.duplicated }).toEqual(first);
    const other = await emu.deliver({ ...chaos, seed: 43 });
    expect(other.order).not.toEqual(first.order);
  });

  it('drops and duplicates exact ids when given lists', async () => {
    const ids = makeEvents(4);
    const report = await emu.deliver({ url: hookUrl, drop: [ids[1]], duplicate: [ids[2]] });
    expect(received.map((r) => r.id)).toEqual([ids[0], ids[2], ids[2], ids[3]]);
    expect(report.dropped).toEqual([ids[1]]);
    // Dropped means lost: it is not resent by a later delivery of undelivered events.
    expect((await emu.deliver({ url: hookUrl })).selected).toBe(0);
  });

  it('retries non-2xx until acknowledged when retryUntil2xx is on, bounded otherwise', async () => {
    const ids = makeEvents(3);
    failuresLeft.set(ids[0], 2);
    failuresLeft.set(ids[2], 10);
    const report = await emu.deliver({ url: hookUrl, retryUntil2xx: { maxAttempts: 4, delayMs: 1 } });
    expect(report.statuses[ids[0]]).toEqual([500, 500, 200]);
    expect(report.statuses[ids[1]]).toEqual([200]);
    expect(report.statuses[ids[2]]).toEqual([500, 500, 500, 500]);
    expect(report.delivered).toEqual([ids[0], ids[1]]);
    expect(report.failed).toEqual([ids[2]]);
    expect(emu.events.get(ids[2])?.webhook_status).toBe('failed');
    // The failed one stays pending, as Chargebee keeps retrying it.
    expect(emu.events.undelivered().map((e) => e.id)).toEqual([ids[2]]);
    failuresLeft.clear();
    expect((await emu.deliver({ url: hookUrl })).delivered).toEqual([ids[2]]);
  });

  it('reports network errors as status 0 without throwing', async () => {
    makeEvents(1);
    const report = await emu.deliver({ url: 'http://127.0.0.1:1/nowhere', timeoutMs: 500 });
    expect(report.statuses[report.failed[0]]).toEqual([0]);
    expect(report.attempts[0].error).toBeTruthy();
  });
});

describe('list paging (property)', () => {
  it('pages through any data set exactly once, in (key, id) order, for any limit/direction/filter', () => {
    const record = fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), updated_at: fc.integer({ min: 0, max: 5 }), deleted: fc.boolean() });
    fc.assert(
      fc.property(fc.uniqueArray(record, { selector: (r) => r.id, maxLength: 60 }), fc.integer({ min: 1, max: 100 }), fc.boolean(), fc.integer({ min: -1, max: 5 }), (rows, limit, asc, after) => {
        const coll = new Collection<BaseRecord>();
        coll.putMany(rows);
        const params = new URLSearchParams({ limit: String(limit), [`sort_by[${asc ? 'asc' : 'desc'}]`]: 'updated_at', 'updated_at[after]': String(after) });
        const cfg = { sortFields: ['updated_at'], defaultSort: { field: 'updated_at', dir: 'asc' as const } };
        const seen: string[] = [];
        for (let guard = 0; guard < 100; guard++) {
          const page = paginate(coll, parseListQuery(params, cfg));
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items.map((r) => r.id));
          if (page.nextOffset === undefined) break;
          expect(page.items).toHaveLength(limit);
          params.set('offset', page.nextOffset);
        }
        const expected = rows
          .filter((r) => !r.deleted && r.updated_at > after)
          .sort((a, b) => a.updated_at - b.updated_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map((r) => r.id);
        expect(seen).toEqual(asc ? expected : expected.reverse());
      }),
      { numRuns: 300 },
    );
  });
});
