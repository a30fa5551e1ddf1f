import type { Knex } from '@mikro-orm/knex';
import type { ExpectedState, History } from './history.js';

type Row = Record<string, unknown>;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const bool = (v: unknown) => v === true || v === 1 || v === '1' || v === 't';

async function tableRows(knex: Knex, table: string, columns: string[]): Promise<Map<string, Row>> {
  const rows = (await knex(table).select(['id', ...columns])) as Row[];
  return new Map(rows.map((r) => [String(r.id), r]));
}

/**
 * Compares the resource tables with the expected final state; returns one line per difference
 * (missing row, extra row, wrong column), empty when they match.
 */
export async function stateDifferences(knex: Knex, expected: ExpectedState): Promise<string[]> {
  const problems: string[] = [];
  const compare = async <T extends object>(table: string, want: Map<string, T>) => {
    const columns = Object.keys(want.values().next().value ?? {});
    const got = await tableRows(knex, table, columns);
    for (const [id, fields] of want) {
      const row = got.get(id);
      if (!row) {
        problems.push(`${table} ${id}: missing`);
        continue;
      }
      for (const [column, value] of Object.entries(fields)) {
        const actual = typeof value === 'number' ? num(row[column]) : typeof value === 'boolean' ? bool(row[column]) : row[column];
        if (actual !== value) problems.push(`${table} ${id}.${column}: ${String(actual)} ≠ expected ${String(value)}`);
      }
    }
    for (const id of got.keys()) if (!want.has(id)) problems.push(`${table} ${id}: not in the history (duplicate or stray row)`);
  };
  await compare('customer', expected.customers);
  await compare('subscription', expected.subscriptions);
  await compare('billing_transaction', expected.transactions);
  return problems;
}

export interface InboxCheck {
  rows: number;
  distinctIds: number;
  missing: string[];
  unexpected: string[];
  byStatus: Record<string, number>;
}

/** The inbox against the history: every event id exactly once, nothing else. */
export async function checkInbox(knex: Knex, history: Pick<History, 'eventIds'>): Promise<InboxCheck> {
  const rows = (await knex('webhook_event').select('event_id', 'status')) as { event_id: string; status: string }[];
  const stored = new Set(rows.map((r) => r.event_id));
  const wanted = new Set(history.eventIds);
  const byStatus: Record<string, number> = {};
  for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  return {
    rows: rows.length,
    distinctIds: stored.size,
    missing: history.eventIds.filter((id) => !stored.has(id)).slice(0, 20),
    unexpected: [...stored].filter((id) => !wanted.has(id)).slice(0, 20),
    byStatus,
  };
}
