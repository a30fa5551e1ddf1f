import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, testDialects } from '../support/databases.js';
import { pgParam } from '../../src/sync/sql.js';

const tricky = ['plain', '', 'NULL', 'with "quotes"', 'back\\slash', '\\"both\\"', '{braces},commas', ' spaced ', 'ünïcode ✓', 'line\nbreak'];

describe('pgParam (PostgreSQL parameter encoding)', () => {
  it('writes array literals, quoting every string and escaping only " and \\', () => {
    expect(pgParam(['a', null, 'b"c', 'd\\e'])).toBe('{"a",NULL,"b\\"c","d\\\\e"}');
    expect(pgParam([1, 2.5, -3])).toBe('{1,2.5,-3}');
    expect(pgParam([true, false, null])).toBe('{true,false,NULL}');
    expect(pgParam([])).toBe('{}');
    expect(pgParam([new Date(Date.UTC(2026, 10, 28, 1, 2, 3, 4))])).toBe('{"2026-11-28T01:02:03.004Z"}');
  });

  it('writes a Date as UTC, and leaves an invalid one to the driver', () => {
    expect(pgParam(new Date(Date.UTC(1999, 0, 2, 3, 4, 5, 6)))).toBe('1999-01-02T03:04:05.006Z');
    const invalid = new Date(Number.NaN);
    expect(pgParam(invalid)).toBe(invalid);
    const withInvalid = [new Date(0), invalid];
    expect(pgParam(withInvalid)).toBe(withInvalid);
  });

  it('leaves scalars and what only the driver encodes as they are', () => {
    expect(pgParam('x')).toBe('x');
    expect(pgParam(7)).toBe(7);
    expect(pgParam(null)).toBe(null);
    const nested = [['a'], ['b']];
    expect(pgParam(nested)).toBe(nested);
    const buffers = [Buffer.from('a')];
    expect(pgParam(buffers)).toBe(buffers);
  });
});

describe.skipIf(!testDialects().includes('postgresql'))('pgParam on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let client: pg.Client;

  beforeAll(async () => {
    db = await createEmptyDatabase('postgresql');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // A session in another time zone: a timestamp must not depend on it.
    await client.query("set timezone = 'America/New_York'");
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('round-trips text arrays as the driver\'s own encoding does', async () => {
    const values = [...tricky, null];
    const ours = await client.query<{ a: (string | null)[] }>('select $1::text[] as a', [pgParam(values)]);
    const drivers = await client.query<{ a: (string | null)[] }>('select $1::text[] as a', [values]);
    expect(ours.rows[0]?.a).toEqual(values);
    expect(drivers.rows[0]?.a).toEqual(values);
  });

  it('round-trips numbers, booleans and timestamps, whatever the session time zone', async () => {
    const at = new Date(Date.UTC(2026, 1, 28, 23, 59, 59, 123));
    const r = await client.query<{ n: string[]; i: number[]; b: boolean[]; t: Date[]; s: Date }>(
      'select $1::numeric[]::text[] as n, $2::int[] as i, $3::boolean[] as b, $4::timestamptz[] as t, $5::timestamptz as s',
      [pgParam([1.25, -2, null]), pgParam([1, 2]), pgParam([true, false]), pgParam([at, null]), pgParam(at)],
    );
    expect(r.rows[0]).toEqual({ n: ['1.25', '-2', null], i: [1, 2], b: [true, false], t: [at, null], s: at });
  });
});
