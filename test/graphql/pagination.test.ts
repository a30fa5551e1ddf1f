import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { createClient, customerEvent, dataOf, ingest, type Client } from './support.js';

interface Page {
  customers: {
    totalCount: number;
    edges: { cursor: string; node: { chargebeeId: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

const pageQuery = `query($first: Int, $after: String, $last: Int, $before: String) {
  customers(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { chargebeeId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }`;

const customerId = (n: number) => `cus_${String(n).padStart(3, '0')}`;

describe.each(testDialects())('cursor pagination (%s)', (dialect) => {
  let db: TestDatabase;
  let client: Client;
  const page = async (args: Record<string, unknown>) => dataOf(await client.query<Page>(pageQuery, args)).customers;
  const idsOf = (p: Page['customers']) => p.edges.map((e) => e.node.chargebeeId);

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    client = createClient(db.sync);
  });
  afterAll(() => db.destroy());
  beforeEach(() => db.reset());

  it('answers an empty connection with no cursors', async () => {
    expect(await page({ first: 10 })).toEqual({
      totalCount: 0, edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
    expect(idsOf(await page({ last: 10 }))).toEqual([]);
  });

  it('walks forward with first/after and backward with last/before, ending on a short last page', async () => {
    await ingest(db.sync, ...[1, 2, 3, 4, 5, 6, 7].map((n) => customerEvent({ id: customerId(n) })));
    const p1 = await page({ first: 3 });
    expect(idsOf(p1)).toEqual(['cus_001', 'cus_002', 'cus_003']);
    expect(p1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(p1.totalCount).toBe(7);
    const p2 = await page({ first: 3, after: p1.pageInfo.endCursor });
    expect(idsOf(p2)).toEqual(['cus_004', 'cus_005', 'cus_006']);
    expect(p2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const p3 = await page({ first: 3, after: p2.pageInfo.endCursor });
    expect(idsOf(p3)).toEqual(['cus_007']);
    expect(p3.pageInfo.hasNextPage).toBe(false);

    const tail = await page({ last: 2 });
    expect(idsOf(tail)).toEqual(['cus_006', 'cus_007']);
    expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = await page({ last: 2, before: tail.pageInfo.startCursor });
    expect(idsOf(before)).toEqual(['cus_004', 'cus_005']);
    const head = await page({ last: 5, before: p2.edges[0]?.cursor });
    expect(idsOf(head)).toEqual(['cus_001', 'cus_002', 'cus_003']);
    expect(head.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    expect(idsOf(await page({ first: 0 }))).toEqual([]);
  });

  it('refuses page sizes above 100, negative sizes, first with last, and foreign cursors', async () => {
    const tooBig = await client.query(pageQuery, { first: 101 });
    expect(tooBig.errors?.[0]?.message).toMatch(/"first" must be at most 100 \(got 101\)/);
    expect(tooBig.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first', max: 100 });
    expect((await client.query(pageQuery, { last: 500 })).errors?.[0]?.extensions).toMatchObject({ argument: 'last' });
    expect((await client.query(pageQuery, { first: -1 })).errors?.[0]?.message).toMatch(/negative/);
    expect((await client.query(pageQuery, { first: 1, last: 1 })).errors?.[0]?.message).toMatch(/not both/);
    expect((await client.query(pageQuery, { first: 1, after: 'garbage' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    expect((await page({ first: 100 })).edges).toEqual([]);
  });

  it('never repeats or skips a customer that existed when paging began, whatever is inserted meanwhile', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 25 }),
      fc.uniqueArray(fc.integer({ min: 301, max: 999 }).map((n) => n - 300), { maxLength: 10 }),
      fc.integer({ min: 1, max: 6 }),
      async (initial, inserted, size) => {
        await db.reset();
        await ingest(db.sync, ...initial.map((n) => customerEvent({ id: customerId(n * 3) })));
        const additions = inserted.map((n) => customerId(n * 3 + 1)).filter((id) => !initial.some((n) => customerId(n * 3) === id));
        const seen: string[] = [];
        let after: string | null = null;
        for (let i = 0; i < 100; i += 1) {
          const p = await page({ first: size, after });
          seen.push(...idsOf(p));
          // A concurrent writer adds a customer between every two page requests.
          const next = additions.shift();
          if (next) await ingest(db.sync, customerEvent({ id: next }));
          if (!p.pageInfo.hasNextPage) break;
          after = p.pageInfo.endCursor;
        }
        expect(new Set(seen).size).toBe(seen.length);
        for (const n of initial) expect(seen).toContain(customerId(n * 3));
        expect([...seen].sort()).toEqual(seen);
      },
    ), { numRuns: 8 });
  });
});
