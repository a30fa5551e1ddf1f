import type { Knex } from '@mikro-orm/knex';
import type { ReconcileMode, ReconcileStatus, RepairKind } from '../db/entities/index.js';
import type { Dialect } from '../db/orm.js';
import { toBool, toDate, toNumber, type Trx } from '../sync/db-helpers.js';
import { insertRows, sqlOf, type InsertColumn } from '../sync/sql.js';
import type { Checkpoint, PlannedRepair, RunCounters, RunSummary } from './types.js';

/** Reconcile bookkeeping (run rows, repairs, watermarks), written with knex so it joins the page transactions. */

export const jsonIn = (value: unknown): string => JSON.stringify(value);

export function jsonOut<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** SQLite hands back epoch ms, PostgreSQL Date objects. */
export interface RunRecord extends RunSummary {
  checkpoint: Checkpoint | null;
  heartbeatAt: Date | null;
}

export function runFromRow(row: Record<string, unknown>): RunRecord {
  return {
    id: Number(row.id),
    mode: row.mode as ReconcileMode,
    dryRun: toBool(row.dry_run),
    status: row.status as ReconcileStatus,
    trigger: String(row.trigger),
    startedAt: toDate(row.started_at) as Date,
    finishedAt: toDate(row.finished_at),
    scanned: jsonOut<Record<string, number>>(row.scanned) ?? {},
    repairs: jsonOut<Partial<Record<RepairKind, number>>>(row.repairs) ?? {},
    apiCalls: Number(row.api_calls ?? 0),
    rateLimited: Number(row.rate_limited ?? 0),
    watermark: toNumber(row.watermark),
    error: (row.error as string | null) ?? null,
    checkpoint: jsonOut<Checkpoint>(row.checkpoint),
    heartbeatAt: toDate(row.heartbeat_at),
    resumed: false,
  };
}

export async function createRun(knex: Knex, mode: ReconcileMode, dryRun: boolean, trigger: string, at: Date): Promise<RunRecord> {
  const [inserted] = await knex('reconcile_run')
    .insert({ mode, dry_run: dryRun, status: 'running', trigger, started_at: at, heartbeat_at: at, api_calls: 0, rate_limited: 0, scanned: jsonIn({}), repairs: jsonIn({}) })
    .returning('id');
  const id = typeof inserted === 'object' ? Number((inserted as { id: unknown }).id) : Number(inserted);
  return loadRun(knex, id) as Promise<RunRecord>;
}

export async function loadRun(knex: Knex | Trx, id: number): Promise<RunRecord | null> {
  const row = await knex('reconcile_run').where('id', id).first();
  return row ? runFromRow(row as Record<string, unknown>) : null;
}

/**
 * The interrupted run of this mode to continue, if any. The caller holds the run lock, so on PostgreSQL
 * any `running` run is dead; on SQLite another process may own it, so only one past its lease counts.
 */
export async function findResumable(knex: Knex, mode: ReconcileMode, leaseMs: number, lockIsAuthoritative: boolean, now: Date): Promise<RunRecord | null> {
  const row = await knex('reconcile_run').where({ status: 'running', mode, dry_run: false }).orderBy('id', 'desc').first();
  if (!row) return null;
  const run = runFromRow(row as Record<string, unknown>);
  const fresh = run.heartbeatAt !== null && now.getTime() - run.heartbeatAt.getTime() < leaseMs;
  return lockIsAuthoritative || !fresh ? run : null;
}

/** Interrupted dry runs are not resumed (they are cheap to redo); close them so they stop showing as running. */
export async function closeAbandonedDryRuns(knex: Knex, now: Date): Promise<void> {
  await knex('reconcile_run').where({ status: 'running', dry_run: true })
    .update({ status: 'failed', finished_at: now, error: 'interrupted', checkpoint: null });
}

function counterColumns(counters: RunCounters) {
  return {
    scanned: jsonIn(counters.scanned),
    repairs: jsonIn(counters.repairs),
    api_calls: counters.baseCalls + counters.api.calls,
    rate_limited: counters.baseRateLimited + counters.api.rateLimited,
  };
}

/** Written in the same transaction as the page it follows, so a resumed run neither skips nor repeats a page. */
export async function saveProgress(trx: Trx, runId: number, counters: RunCounters, checkpoint: Checkpoint | null, heartbeat: Date | null): Promise<void> {
  await trx('reconcile_run').where('id', runId).update({
    ...counterColumns(counters),
    checkpoint: checkpoint === null ? null : jsonIn(checkpoint),
    heartbeat_at: heartbeat,
  });
}

export async function finishRun(
  knex: Knex, runId: number, status: ReconcileStatus, counters: RunCounters, error: string | null, watermark: number | null, at: Date,
): Promise<void> {
  await knex('reconcile_run').where('id', runId).update({
    ...counterColumns(counters), status, error, watermark, finished_at: at, checkpoint: null, heartbeat_at: at,
  });
  await knex('reconcile_seen').where('run_id', runId).delete();
}

// Rows per multi-row INSERT on SQLite: well under its bound-parameter limit (and knex's habit of writing
// multi-row inserts as a compound SELECT, which SQLite caps at 500 terms, is avoided altogether).
const repairColumns: InsertColumn[] = [
  { name: 'run_id', pgType: 'int' }, { name: 'entity', pgType: 'text' }, { name: 'entity_id', pgType: 'text' }, { name: 'kind', pgType: 'text' },
  { name: 'version_before', pgType: 'bigint' }, { name: 'version_after', pgType: 'bigint' }, { name: 'detail', pgType: 'text' }, { name: 'created_at', pgType: 'timestamptz' },
];

export async function insertRepairs(trx: Trx, dialect: Dialect, runId: number, repairs: PlannedRepair[], counters: RunCounters, at: Date): Promise<void> {
  if (repairs.length === 0) return;
  await insertRows(await sqlOf(trx, dialect), 'reconcile_repair', repairColumns, repairs.map((r) => [
    runId, r.entity, r.entityId, r.kind, r.versionBefore, r.versionAfter, r.detail ?? null, at,
  ]));
  for (const r of repairs) counters.repairs[r.kind] = (counters.repairs[r.kind] ?? 0) + 1;
}

const seenColumns: InsertColumn[] = [{ name: 'run_id', pgType: 'int' }, { name: 'entity', pgType: 'text' }, { name: 'entity_id', pgType: 'text' }];

/** Ids a full run read, for its tombstone pass (duplicates are ignored). */
export async function insertSeen(trx: Trx, dialect: Dialect, runId: number, entity: string, ids: readonly string[]): Promise<void> {
  await insertRows(await sqlOf(trx, dialect), 'reconcile_seen', seenColumns, ids.map((id) => [runId, entity, id]), ' on conflict (run_id, entity, entity_id) do nothing');
}

/** Watermarks in unix seconds of Chargebee's clock: `events` and one per listed resource. */
export type Watermarks = Record<string, number | null> & { netRound?: number | null };
const WATERMARKS_KEY = 'reconcile.watermarks';

export async function readWatermarks(knex: Knex | Trx): Promise<Watermarks> {
  const row = await knex('sync_state').where('key', WATERMARKS_KEY).first();
  return jsonOut<Watermarks>(row?.value) ?? {};
}

export async function writeWatermarks(knex: Knex | Trx, marks: Watermarks, at: Date): Promise<void> {
  await knex('sync_state').insert({ key: WATERMARKS_KEY, value: jsonIn(marks), updated_at: at })
    .onConflict('key').merge(['value', 'updated_at']);
}

/** Raises watermarks (never lowers them), reading the current ones inside the caller's transaction. */
export async function raiseWatermarks(trx: Trx, raised: Record<string, number>, at: Date, extra: Partial<Watermarks> = {}): Promise<Watermarks> {
  const marks = await readWatermarks(trx);
  for (const [key, value] of Object.entries(raised)) marks[key] = Math.max(marks[key] ?? 0, value);
  Object.assign(marks, extra);
  await writeWatermarks(trx, marks, at);
  return marks;
}
