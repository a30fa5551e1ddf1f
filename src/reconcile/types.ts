import type { Logger } from '../logger.js';
import type { SyncDeps } from '../sync/sync-deps.js';
import type { ChargebeeApi, CallCounter } from '../chargebee/client.js';
import type { ReconcileMode, ReconcileStatus, RepairKind } from '../db/entities/index.js';
import type { RunLock } from './lock.js';

/** The resources the reconciler lists and the tables they land in. */
export const listedEntities = ['customer', 'subscription', 'transaction'] as const;
export type ListedEntity = (typeof listedEntities)[number];
export const tableOf: Record<ListedEntity, string> = { customer: 'customer', subscription: 'subscription', transaction: 'billing_transaction' };

export interface ReconcileSettings {
  /** Incremental runs re-read this many seconds before the watermark. */
  overlapSeconds: number;
  /** A `running` run without a heartbeat for this long was killed (SQLite; PostgreSQL knows from the lock). */
  leaseMs: number;
  /** List page size (Chargebee allows 1..100). */
  pageSize: number;
  /**
   * Resource list pages applied and committed together (one transaction, one set-based apply, one
   * checkpoint): per-commit costs (fsync, round trips, statement overhead) are paid once per batch.
   * A killed run re-reads at most this many pages.
   */
  pagesPerCommit: number;
  /** A batch is committed once its first page is this old, however few pages it has (runs slowed by the budget). */
  commitAtLeastEveryMs: number;
  /** Resource lists read the next batch's pages while a batch is committed (at most pagesPerCommit ahead). */
  readAhead: boolean;
  /** Second-net lists per incremental run, rotating over customers, subscriptions and transactions. */
  netListsPerRun: number;
}

export const defaultSettings: ReconcileSettings = {
  overlapSeconds: 300, leaseMs: 10 * 60_000, pageSize: 100, pagesPerCommit: 20, commitAtLeastEveryMs: 2_000, readAhead: true, netListsPerRun: 2,
};

export interface ReconcileDeps {
  sync: SyncDeps;
  api: ChargebeeApi;
  lock: RunLock;
  logger: Logger;
  settings: ReconcileSettings;
  /** Called with every run that finishes (metrics). */
  onFinished?: (run: RunSummary) => void;
}

export interface ProgressSnapshot {
  runId: number;
  mode: ReconcileMode;
  phase: string;
  scanned: number;
  repairs: number;
  apiCalls: number;
  rateLimited: number;
  elapsedMs: number;
  /** Records a full run expects to read (local row counts): an estimate for the ETA. */
  expected: number | null;
}

export interface RunRequest {
  mode: ReconcileMode;
  dryRun?: boolean;
  /** schedule, cli, graphql:<token name> */
  trigger: string;
  /** Incremental: read from here instead of the watermark (and list every resource). */
  since?: Date;
  /** Stops the run between pages; it stays `running` with its checkpoint and is resumed next time. */
  signal?: AbortSignal;
  onProgress?: (progress: ProgressSnapshot) => void;
  /** Called once the run row exists (new or resumed), before any API call. */
  onStart?: (run: RunSummary) => void;
}

export interface RunSummary {
  id: number;
  mode: ReconcileMode;
  dryRun: boolean;
  status: ReconcileStatus;
  trigger: string;
  startedAt: Date;
  finishedAt: Date | null;
  scanned: Record<string, number>;
  repairs: Partial<Record<RepairKind, number>>;
  apiCalls: number;
  rateLimited: number;
  watermark: number | null;
  error: string | null;
  /** True when this run continued an interrupted one. */
  resumed: boolean;
}

/** A second runner finds the lock taken and records nothing: skips are routine (a full run outlasts several incremental slots). */
export type RunOutcome = { skipped: true; reason: string } | { skipped: false; run: RunSummary };

/** Where an interrupted run picks up. */
export interface Checkpoint {
  phase: string;
  offset?: string;
  /** Window start per phase (unix s), kept so a resumed run reads the same windows. */
  since?: Record<string, number>;
  /** Incremental: which second-net lists this run does. */
  nets?: ListedEntity[];
  /** Greatest occurred_at / updated_at seen per phase: the next watermarks. */
  maxSeen: Record<string, number>;
  /** Phases finished without a failure. */
  done: string[];
  /** Failures so far (pages or records), so a resumed run cannot end `succeeded` after them. */
  failures: string[];
}

export interface PlannedRepair {
  entity: string;
  entityId: string;
  kind: RepairKind;
  versionBefore: number | null;
  versionAfter: number | null;
  detail?: string | null;
}

export interface RunCounters {
  scanned: Record<string, number>;
  repairs: Partial<Record<RepairKind, number>>;
  /** API cost of earlier attempts of a resumed run. */
  baseCalls: number;
  baseRateLimited: number;
  api: CallCounter;
}
