import type { ApplyContext } from '../sync/apply-context.js';
import type { Sql } from '../sync/sql.js';
import type { Trx } from '../sync/db-helpers.js';
import { ChargebeeApiError } from '../chargebee/client.js';
import { insertRepairs, saveProgress, type RunRecord } from './run-store.js';
import type { Checkpoint, PlannedRepair, ProgressSnapshot, ReconcileDeps, RunCounters, RunRequest } from './types.js';

/** Thrown between pages when the run was asked to stop; the run stays resumable. */
export class RunInterrupted extends Error {
  override name = 'RunInterrupted';
}

/** A failure no later page can avoid (bad credentials): the run ends `failed` at once. */
export function isFatalApiError(error: unknown): boolean {
  return error instanceof ChargebeeApiError && (error.status === 401 || error.status === 403);
}

const MAX_FAILURES_KEPT = 20;

/** One run's state: its row, counters, checkpoint and failures; every page commits through it. */
export class RunContext {
  readonly startedMs = Date.now();
  phase = 'start';
  expected: number | null = null;

  constructor(
    readonly deps: ReconcileDeps,
    readonly run: RunRecord,
    readonly request: RunRequest,
    readonly counters: RunCounters,
    public checkpoint: Checkpoint,
    readonly signal: AbortSignal,
  ) {}

  get dryRun(): boolean {
    return this.run.dryRun;
  }

  get failed(): boolean {
    return this.checkpoint.failures.length > 0;
  }

  fail(message: string): void {
    this.deps.logger.warn({ runId: this.run.id, phase: this.phase, failure: message }, 'reconcile failure');
    if (this.checkpoint.failures.length < MAX_FAILURES_KEPT) this.checkpoint.failures.push(message);
    else this.checkpoint.failures[MAX_FAILURES_KEPT - 1] = `… and more; last: ${message}`;
  }

  throwIfAborted(): void {
    if (this.signal.aborted) throw new RunInterrupted(String(this.signal.reason ?? 'interrupted'));
  }

  addScanned(entity: string, n: number): void {
    this.counters.scanned[entity] = (this.counters.scanned[entity] ?? 0) + n;
  }

  applyContext(sql: Sql): ApplyContext {
    return { sql, dialect: this.deps.sync.dialect, stamp: { at: new Date(), by: 'reconcile' }, eventId: null, fallbackToCustomerId: this.deps.sync.fallbackToCustomerId };
  }

  /**
   * Commits a page's work, its repairs and the checkpoint after it in one transaction: a run killed at
   * any point resumes at the first page whose effects are not in the database.
   */
  async commitPage(work: (trx: Trx) => Promise<PlannedRepair[]>, next: Checkpoint): Promise<void> {
    await this.deps.sync.knex.transaction(async (trx) => {
      const repairs = await work(trx);
      await insertRepairs(trx, this.deps.sync.dialect, this.run.id, repairs, this.counters, new Date());
      await saveProgress(trx, this.run.id, this.counters, next, new Date());
    });
    this.checkpoint = next;
    this.reportProgress();
  }

  reportProgress(): void {
    this.request.onProgress?.(this.snapshot());
  }

  snapshot(): ProgressSnapshot {
    const sum = (r: Record<string, number | undefined>) => Object.values(r).reduce<number>((n, v) => n + (v ?? 0), 0);
    return {
      runId: this.run.id,
      mode: this.run.mode,
      phase: this.phase,
      scanned: sum(this.counters.scanned),
      repairs: sum(this.counters.repairs),
      apiCalls: this.counters.baseCalls + this.counters.api.calls,
      rateLimited: this.counters.baseRateLimited + this.counters.api.rateLimited,
      elapsedMs: Date.now() - this.startedMs,
      expected: this.expected,
    };
  }
}
