import type { Knex } from '@mikro-orm/knex';
import { loggableError } from '../db/errors.js';
import type { ReconcileMode, ReconcileStatus, RepairKind } from '../db/entities/index.js';
import { rowsOf, toDate } from '../sync/db-helpers.js';
import { planMappingFromRow, remapSubscriptions, unmappedPlanIds, type PlanMappingRecord } from '../sync/plans.js';
import { runReconcile } from './reconciler.js';
import { readWatermarks, runFromRow } from './run-store.js';
import type { ReconcileDeps, RunSummary } from './types.js';

/** Service functions for the GraphQL layer (and the CLI): plain data in, plain data out. */

export class ReconcileBusyError extends Error {
  override name = 'ReconcileBusyError';
}

export class UnknownPlanError extends Error {
  override name = 'UnknownPlanError';
  constructor(readonly planIds: string[]) {
    super(`unknown Chargebee plan id(s): ${planIds.join(', ')}`);
  }
}

export interface TriggerOptions {
  mode: ReconcileMode;
  dryRun?: boolean;
  /** e.g. graphql:<token name> */
  trigger: string;
  /** Resolve when the run has finished instead of as soon as it has started. */
  wait?: boolean;
}

/**
 * Starts a run and resolves with its row as soon as it exists (status `running`), leaving the run to
 * finish in the background; `wait` resolves with the finished run. Throws ReconcileBusyError when
 * another run holds the lock.
 */
export function triggerReconcile(deps: ReconcileDeps, options: TriggerOptions): Promise<RunSummary> {
  return new Promise<RunSummary>((resolve, reject) => {
    const done = runReconcile(deps, {
      mode: options.mode, dryRun: options.dryRun ?? false, trigger: options.trigger,
      onStart: options.wait ? undefined : resolve,
    });
    done.then((outcome) => {
      if (outcome.skipped) reject(new ReconcileBusyError(outcome.reason));
      else resolve(outcome.run);
    }, (error: unknown) => {
      deps.logger.error({ error: loggableError(error), mode: options.mode }, 'triggered reconcile failed');
      reject(error);
    });
  });
}

export interface RunFilter {
  mode?: ReconcileMode;
  status?: ReconcileStatus;
  /** Keyset paging: runs with a smaller id (newest first). */
  beforeId?: number;
  limit?: number;
}

export async function listReconcileRuns(knex: Knex, filter: RunFilter = {}): Promise<RunSummary[]> {
  const query = knex('reconcile_run').orderBy('id', 'desc').limit(Math.min(filter.limit ?? 20, 200));
  if (filter.mode) query.where('mode', filter.mode);
  if (filter.status) query.where('status', filter.status);
  if (filter.beforeId !== undefined) query.where('id', '<', filter.beforeId);
  return ((await query) as Record<string, unknown>[]).map((row) => summary(row));
}

export interface RepairView {
  id: number;
  runId: number;
  entity: string;
  entityId: string;
  kind: RepairKind;
  versionBefore: number | null;
  versionAfter: number | null;
  detail: string | null;
  createdAt: Date;
}

function summary(row: Record<string, unknown>): RunSummary {
  const { checkpoint: _checkpoint, heartbeatAt: _heartbeat, ...rest } = runFromRow(row);
  return rest;
}

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function getReconcileRun(knex: Knex, id: number, repairs: { limit?: number; afterId?: number } = {}): Promise<{ run: RunSummary; repairs: RepairView[] } | null> {
  const row = await knex('reconcile_run').where('id', id).first();
  if (!row) return null;
  const query = knex('reconcile_repair').where('run_id', id).orderBy('id').limit(Math.min(repairs.limit ?? 100, 1000));
  if (repairs.afterId !== undefined) query.where('id', '>', repairs.afterId);
  const rows = (await query) as Record<string, unknown>[];
  return {
    run: summary(row as Record<string, unknown>),
    repairs: rows.map((r) => ({
      id: Number(r.id), runId: Number(r.run_id), entity: String(r.entity), entityId: String(r.entity_id), kind: r.kind as RepairKind,
      versionBefore: numOrNull(r.version_before), versionAfter: numOrNull(r.version_after), detail: (r.detail as string | null) ?? null,
      createdAt: toDate(r.created_at) as Date,
    })),
  };
}

export interface ReconcileStatusView {
  lastRun: RunSummary | null;
  lastSucceededRun: RunSummary | null;
  /** The events watermark: Chargebee changes up to here are known to be applied. */
  watermark: Date | null;
  watermarkAgeSeconds: number | null;
  failedEvents: number;
  unmappedPlans: number;
}

/** Fields for syncStatus. */
export async function reconcileStatus(knex: Knex, now: Date = new Date()): Promise<ReconcileStatusView> {
  const last = await knex('reconcile_run').orderBy('id', 'desc').first();
  const lastOk = await knex('reconcile_run').where({ status: 'succeeded', dry_run: false }).orderBy('id', 'desc').first();
  const marks = await readWatermarks(knex);
  const watermark = typeof marks.events === 'number' ? new Date(marks.events * 1000) : null;
  const [failed] = await knex('webhook_event').where('status', 'failed').count({ n: '*' });
  return {
    lastRun: last ? summary(last as Record<string, unknown>) : null,
    lastSucceededRun: lastOk ? summary(lastOk as Record<string, unknown>) : null,
    watermark,
    watermarkAgeSeconds: watermark === null ? null : Math.max(0, Math.round((now.getTime() - watermark.getTime()) / 1000)),
    failedEvents: Number(failed?.n ?? 0),
    unmappedPlans: (await unmappedPlanIds(knex)).length,
  };
}


/**
 * Identity mappings (plan key = Chargebee plan id) for the given unmapped plans, or all of them, then
 * re-resolves the affected subscriptions. Plans already mapped are left alone (not returned).
 */
export async function importPlanMappings(knex: Knex, planIds: readonly string[] | 'all'): Promise<PlanMappingRecord[]> {
  return knex.transaction(async (trx) => {
    const unmapped = await unmappedPlanIds(trx);
    let wanted: string[];
    if (planIds === 'all') wanted = unmapped;
    else {
      const mapped = new Set(rowsOf<{ chargebee_plan_id: string }>(await trx('plan_mapping').select('chargebee_plan_id').whereIn('chargebee_plan_id', [...planIds])).map((r) => r.chargebee_plan_id));
      const unknown = planIds.filter((id) => !mapped.has(id) && !unmapped.includes(id));
      if (unknown.length > 0) throw new UnknownPlanError(unknown);
      wanted = [...new Set(planIds.filter((id) => !mapped.has(id)))];
    }
    if (wanted.length === 0) return [];
    const names = new Map(rowsOf<{ id: string; name: string | null }>(await trx('chargebee_plan').select('id', 'name').whereIn('id', wanted)).map((r) => [r.id, r.name]));
    const now = new Date();
    await trx('plan_mapping')
      .insert(wanted.map((id) => ({ chargebee_plan_id: id, plan_key: id, display_name: names.get(id) ?? null, created_at: now, updated_at: now })))
      .onConflict('chargebee_plan_id').ignore();
    await remapSubscriptions(trx, wanted);
    const rows = (await trx('plan_mapping').whereIn('chargebee_plan_id', wanted).orderBy('chargebee_plan_id')) as Record<string, unknown>[];
    return rows.map(planMappingFromRow);
  });
}
