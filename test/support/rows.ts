import type { TestDatabase } from './databases.js';

type Row = Record<string, unknown>;

const normalise = (row: Row): Row => {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (v instanceof Date) out[k] = v.getTime();
    else if (typeof v === 'string' && /^\d+$/.test(v) && /version|amount|mrr/.test(k)) out[k] = Number(v);
    else if (k === 'deleted') out[k] = v === true || v === 1;
    else out[k] = v;
  }
  return out;
};

/** Rows of a table as plain comparable values (the same on both engines), ordered by id. */
export async function rows(db: TestDatabase, table: string, where: Row = {}): Promise<Row[]> {
  const result = await db.sync.knex(table).select('*').where(where).orderBy('id');
  return (result as Row[]).map(normalise);
}

export async function one(db: TestDatabase, table: string, id: string | number): Promise<Row | undefined> {
  return (await rows(db, table, { id }))[0];
}

export async function count(db: TestDatabase, table: string, where: Row = {}): Promise<number> {
  const result = await db.sync.knex(table).count({ n: '*' }).where(where);
  return Number((result[0] as { n: number | string }).n);
}
