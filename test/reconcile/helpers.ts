// Shared setup for reconciler tests: a test database, the emulator, and the real client between them.
import { pino } from 'pino';
import { startEmulator, type Emulator } from '../../src/chargebee/emulator/index.js';
import { ChargebeeClient, type ClientOptions } from '../../src/chargebee/client.js';
import { runLockFor } from '../../src/reconcile/lock.js';
import { defaultSettings, type ReconcileDeps, type ReconcileSettings, type RunOutcome, type RunSummary } from '../../src/reconcile/types.js';
import type { TestDatabase } from '../support/databases.js';

export const API_KEY = 'reconcile_test_key';
export const silentLogger = pino({ level: 'silent' });

export async function emulator(): Promise<Emulator> {
  // A fixed, frozen Chargebee clock keeps updated_at/occurred_at deterministic.
  return startEmulator({ apiKey: API_KEY, clock: { nowMs: Date.UTC(2026, 0, 15, 12), frozen: true } });
}

export function clientFor(emu: Emulator, options: Partial<ClientOptions> = {}): ChargebeeClient {
  return new ChargebeeClient({
    site: 'test', apiKey: API_KEY, apiUrl: emu.url, ratePerWindow: 1000, windowMs: 60_000, concurrency: 2,
    timeoutMs: 2_000, retry: { baseDelayMs: 20, maxDelayMs: 2_000 }, logger: silentLogger, ...options,
  });
}

export function depsFor(db: TestDatabase, emu: Emulator, options: { client?: ChargebeeClient; settings?: Partial<ReconcileSettings> } = {}): ReconcileDeps {
  return {
    sync: db.sync,
    api: options.client ?? clientFor(emu),
    lock: runLockFor(db.dialect, db.url),
    logger: silentLogger,
    settings: { ...defaultSettings, ...options.settings },
  };
}

/** Rows of a table as plain objects keyed by id (booleans and numbers normalised across engines). */
export async function rowsById(db: TestDatabase, table: string): Promise<Map<string, { version: number; deleted: boolean; row: Record<string, unknown> }>> {
  const rows = (await db.sync.knex(table).select('*')) as Record<string, unknown>[];
  return new Map(rows.map((r) => [String(r.id), { version: Number(r.resource_version), deleted: r.deleted === true || r.deleted === 1, row: r }]));
}

export async function repairsOf(db: TestDatabase, runId: number): Promise<{ entity: string; entity_id: string; kind: string; version_before: unknown; version_after: unknown }[]> {
  return db.sync.knex('reconcile_repair').where('run_id', runId).orderBy('id');
}

/** Counts of every data table: what a dry run must leave as it found. */
export async function snapshotData(db: TestDatabase): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of ['customer', 'subscription', 'billing_transaction', 'webhook_event', 'plan_mapping', 'chargebee_plan', 'sync_state', 'attribution_change']) {
    out[table] = await db.sync.knex(table).select('*').orderBy(table === 'sync_state' ? 'key' : 'id');
  }
  return out;
}

/** The run of an outcome that must not have been skipped. */
export function ran(outcome: RunOutcome): RunSummary {
  if (outcome.skipped) throw new Error(`run skipped: ${outcome.reason}`);
  return outcome.run;
}
