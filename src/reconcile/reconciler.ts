import { newCallCounter } from '../chargebee/client.js';
import type { ReconcileStatus } from '../db/entities/index.js';
import { loggableError, errorMessage } from '../db/errors.js';
import { runFull } from './full.js';
import { runIncremental } from './incremental.js';
import { runPlans } from './plans.js';
import { RunContext, RunInterrupted } from './run-context.js';
import {
  closeAbandonedDryRuns, createRun, findResumable, finishRun, loadRun, raiseWatermarks, readWatermarks, saveProgress,
  type RunRecord, type Watermarks,
} from './run-store.js';
import { listedEntities, type Checkpoint, type ReconcileDeps, type RunOutcome, type RunRequest, type RunSummary } from './types.js';

const freshCheckpoint = (): Checkpoint => ({ phase: 'start', maxSeen: {}, done: [], failures: [] });

function summaryOf(run: RunRecord, resumed: boolean): RunSummary {
  const { checkpoint: _checkpoint, heartbeatAt: _heartbeat, ...summary } = run;
  return { ...summary, resumed };
}

/** Raises the watermarks of the phases this run finished cleanly; returns the events watermark. */
async function advanceWatermarks(ctx: RunContext): Promise<number | null> {
  const { done, maxSeen } = ctx.checkpoint;
  return ctx.deps.sync.knex.transaction(async (trx) => {
    const marks = await readWatermarks(trx);
    const raised: Record<string, number> = {};
    for (const key of ['events', ...listedEntities]) if (done.includes(key) && maxSeen[key] !== undefined) raised[key] = maxSeen[key];
    const extra: Partial<Watermarks> = {};
    if (ctx.run.mode === 'incremental' && !ctx.request.since) extra.netRound = (marks.netRound ?? 0) + 1;
    if (ctx.run.mode === 'full' && done.includes('tombstone') && (marks.events ?? null) === null) {
      // A complete full pass reflects every event up to its newest change: the first incremental run
      // after an install starts there instead of reading the whole event history.
      const newest = Math.max(0, ...listedEntities.map((e) => maxSeen[e] ?? 0));
      if (newest > 0) raised.events = newest;
    }
    return (await raiseWatermarks(trx, raised, new Date(), extra)).events ?? null;
  });
}

function statusOf(ctx: RunContext): ReconcileStatus {
  if (!ctx.failed) return 'succeeded';
  const anyPhaseDone = ctx.checkpoint.done.length > 0 || Object.values(ctx.counters.scanned).some((n) => n > 0);
  return anyPhaseDone ? 'partial' : 'failed';
}

async function execute(ctx: RunContext): Promise<void> {
  if (ctx.run.mode === 'incremental') await runIncremental(ctx);
  else if (ctx.run.mode === 'full') await runFull(ctx);
  else await runPlans(ctx);
}

/**
 * Runs one reconcile under the run lock: resumes an interrupted run of the same mode from its
 * checkpoint or starts a new one, records the outcome, and never reports `succeeded` after a failure.
 */
export async function runReconcile(deps: ReconcileDeps, request: RunRequest): Promise<RunOutcome> {
  const lock = await deps.lock.tryAcquire();
  if (lock === null) {
    deps.logger.info({ mode: request.mode, trigger: request.trigger }, 'reconcile skipped: another run holds the lock');
    return { skipped: true, reason: 'another reconcile run is in progress' };
  }
  try {
    const knex = deps.sync.knex;
    const now = new Date();
    const dryRun = request.dryRun ?? false;
    await closeAbandonedDryRuns(knex, now);
    const resumable = dryRun || request.since ? null : await findResumable(knex, request.mode, deps.settings.leaseMs, deps.sync.dialect === 'postgresql', now);
    if (!dryRun && !request.since && resumable === null) {
      const other = await findResumable(knex, request.mode, deps.settings.leaseMs, false, now);
      if (other !== null) return { skipped: true, reason: `run ${other.id} is still running (heartbeat within the lease)` };
    }
    const run = resumable ?? await createRun(knex, request.mode, dryRun, request.trigger, now);
    if (resumable) deps.logger.info({ runId: run.id, checkpoint: run.checkpoint }, 'resuming interrupted reconcile run');
    const counters = {
      scanned: { ...run.scanned }, repairs: { ...run.repairs }, baseCalls: run.apiCalls, baseRateLimited: run.rateLimited, api: newCallCounter(),
    };
    request.onStart?.(summaryOf(run, resumable !== null));
    const signal = request.signal ? AbortSignal.any([request.signal, lock.lost]) : lock.lost;
    const ctx = new RunContext(deps, run, request, counters, run.checkpoint ?? freshCheckpoint(), signal);
    let status: ReconcileStatus;
    let error: string | null = null;
    let watermark: number | null = null;
    try {
      await execute(ctx);
      status = statusOf(ctx);
      if (ctx.failed) error = ctx.checkpoint.failures.join('; ');
      if (!run.dryRun) watermark = await advanceWatermarks(ctx);
    } catch (thrown) {
      if (thrown instanceof RunInterrupted) {
        // Left `running` with its checkpoint and no heartbeat, so the next run resumes it at once.
        await saveProgress(knex, run.id, counters, ctx.checkpoint, null);
        deps.logger.warn({ runId: run.id, phase: ctx.phase }, 'reconcile interrupted; it resumes on the next run');
        return { skipped: false, run: summaryOf((await loadRun(knex, run.id)) as RunRecord, resumable !== null) };
      }
      status = 'failed';
      error = errorMessage(thrown);
      deps.logger.error({ runId: run.id, error: loggableError(thrown) }, 'reconcile run failed');
    }
    await finishRun(knex, run.id, status, counters, error, watermark, new Date());
    const finished = (await loadRun(knex, run.id)) as RunRecord;
    deps.logger.info({ runId: run.id, mode: run.mode, status, scanned: finished.scanned, repairs: finished.repairs, apiCalls: finished.apiCalls }, 'reconcile run finished');
    const summary = summaryOf(finished, resumable !== null);
    deps.onFinished?.(summary);
    return { skipped: false, run: summary };
  } finally {
    await lock.release();
  }
}
