import type { ListParams, ListResource } from '../chargebee/client.js';
import { ChargebeeApiError } from '../chargebee/client.js';
import { applyResources } from '../sync/apply.js';
import {
  emptyResourceSet, parseCustomer, parseSubscription, parseTransaction, type ResourceSet, type Tombstonable,
} from '../sync/resources.js';
import { versionOf } from '../sync/version.js';
import type { Trx } from '../sync/db-helpers.js';
import { repairKindFor, storedStates } from './compare.js';
import { isFatalApiError, type RunContext } from './run-context.js';
import { insertSeen } from './run-store.js';
import type { Checkpoint, ListedEntity, PlannedRepair, ReconcileSettings } from './types.js';

/** How pageThrough groups pages into commits. */
export interface PageBatching {
  /** Pages handed to `onPage` (and so committed) together; 1 = one commit per page. */
  pages: number;
  /** A batch is handed over once its first page is this old, however few pages it has (slow, budgeted runs). */
  maxAgeMs: number;
}

const onePagePerCommit: PageBatching = { pages: 1, maxAgeMs: 0 };

/** The batching of resource lists (full and second-net passes) under the run's settings. */
export const batchingOf = (settings: ReconcileSettings): PageBatching => ({ pages: Math.max(1, settings.pagesPerCommit), maxAgeMs: settings.commitAtLeastEveryMs });

/**
 * Pages through one list call from the checkpoint's offset. `onPage` commits the items it is given
 * together with the checkpoint after them; with `batching`, the items of several consecutive pages come
 * in one call (one transaction, one set-based apply), and the checkpoint points past the last of them.
 * No transaction is open while a page is fetched. Returns whether the phase completed; an API failure
 * that survived the client's retries ends the phase (there is no next offset to go on with) and is
 * recorded after the pages read before it are committed.
 */
export async function pageThrough(
  ctx: RunContext, phase: string, resource: ListResource, params: ListParams,
  onPage: (items: Record<string, unknown>[], next: Checkpoint) => Promise<void>,
  /** An API error that means "nothing to list here" rather than a failure. */
  tolerate?: (error: ChargebeeApiError) => boolean,
  batching: PageBatching = onePagePerCommit,
): Promise<boolean> {
  ctx.phase = phase;
  let offset = ctx.checkpoint.phase === phase ? ctx.checkpoint.offset : undefined;
  let pending: Record<string, unknown>[] = [];
  let pendingPages = 0;
  let batchStarted = 0;
  /** Hands the pages read so far to `onPage`, with the checkpoint at `offset` (after them). */
  const flush = async (): Promise<void> => {
    if (pendingPages === 0) return;
    const items = pending;
    pending = [];
    pendingPages = 0;
    const next: Checkpoint = { ...ctx.checkpoint, phase, offset, maxSeen: { ...ctx.checkpoint.maxSeen }, failures: [...ctx.checkpoint.failures] };
    await onPage(items, next);
  };
  for (;;) {
    if (ctx.signal.aborted) await flush();
    ctx.throwIfAborted();
    let page;
    try {
      page = await ctx.deps.api.list(resource, { ...params, limit: ctx.deps.settings.pageSize, ...(offset ? { offset } : {}) }, ctx.counters.api);
    } catch (error) {
      if (isFatalApiError(error) || !(error instanceof ChargebeeApiError)) throw error;
      await flush();
      if (tolerate?.(error)) {
        ctx.deps.logger.info({ phase, status: error.status, code: error.code }, 'list not available on this site; skipped');
        ctx.checkpoint.done = [...ctx.checkpoint.done, phase];
        return true;
      }
      ctx.fail(`${phase}: ${error.message}`);
      return false;
    }
    const last = page.nextOffset === undefined;
    if (pendingPages === 0) batchStarted = performance.now();
    for (const item of page.items) pending.push(item);
    pendingPages += 1;
    offset = page.nextOffset;
    if (last) {
      const failuresBefore = ctx.checkpoint.failures.length;
      await flush();
      if (ctx.checkpoint.failures.length === failuresBefore) ctx.checkpoint.done = [...ctx.checkpoint.done, phase];
      return true;
    }
    if (pendingPages >= batching.pages || performance.now() - batchStarted >= batching.maxAgeMs) await flush();
  }
}

export function raiseMaxSeen(next: Checkpoint, key: string, value: number | null | undefined): void {
  if (typeof value === 'number') next.maxSeen[key] = Math.max(next.maxSeen[key] ?? 0, value);
}

const parsers = { customer: parseCustomer, subscription: parseSubscription, transaction: parseTransaction };

/** Adds one resource to the set under its kind and returns the entry, so its outcome can be told apart. */
function addToSet(set: ResourceSet, entity: ListedEntity, data: unknown, deleted: boolean): Tombstonable<unknown> {
  if (entity === 'customer') {
    const entry = { data: data as ReturnType<typeof parseCustomer>, deleted };
    set.customers.push(entry);
    return entry;
  }
  if (entity === 'subscription') {
    const entry = { data: data as ReturnType<typeof parseSubscription>, deleted };
    set.subscriptions.push(entry);
    return entry;
  }
  const entry = { data: data as ReturnType<typeof parseTransaction>, deleted };
  set.transactions.push(entry);
  return entry;
}

/**
 * One page (or batch of consecutive pages) of a resource list: compares it against stored versions (one
 * SELECT per 500 ids), hands the resources that are newer to the apply path and records what changed.
 * A dry run only compares. `seenBy` records the ids for the full run's tombstone pass: an id recorded as
 * a repair of the run counts as seen already (the tombstone pass reads both), so only the others are
 * written to reconcile_seen.
 */
export async function reconcileResourcePage(
  ctx: RunContext, entity: ListedEntity, items: Record<string, unknown>[], next: Checkpoint, seenBy: number | null,
): Promise<void> {
  const parsed: { id: string; data: unknown; version: number; deleted: boolean }[] = [];
  for (const item of items) {
    try {
      const data = parsers[entity](item);
      parsed.push({ id: data.id, data, version: versionOf(data), deleted: data.deleted === true });
    } catch (error) {
      const failure = `${entity} ${String(item.id)}: ${(error as Error).message}`;
      ctx.fail(failure);
      next.failures = [...ctx.checkpoint.failures];
    }
    raiseMaxSeen(next, entity, typeof item.updated_at === 'number' ? item.updated_at : null);
  }
  ctx.addScanned(entity, items.length);
  await ctx.commitPage(async (trx: Trx) => {
    const before = await storedStates(trx, entity, parsed.map((p) => p.id));
    const planned: { repair: PlannedRepair; entry: Tombstonable<unknown> }[] = [];
    const set = emptyResourceSet();
    for (const p of parsed) {
      const stored = before.get(p.id);
      const kind = repairKindFor(stored, p);
      if (kind === null) continue;
      const repair: PlannedRepair = { entity, entityId: p.id, kind, versionBefore: stored?.version ?? null, versionAfter: p.version };
      planned.push({ repair, entry: addToSet(set, entity, p.data, p.deleted) });
    }
    // The page's repair candidates go through the one apply path together; only the states that
    // took effect (the database's version guard decides) are recorded as repairs. A dry run only compares.
    const outcome = !ctx.dryRun && planned.length > 0 ? await applyResources(ctx.applyContext(trx), set) : null;
    const repairs = ctx.dryRun ? planned.map((p) => p.repair) : planned.filter((p) => outcome?.took.has(p.entry)).map((p) => p.repair);
    if (seenBy !== null && parsed.length > 0) {
      const repaired = new Set(repairs.map((r) => r.entityId));
      const unrecorded = [...new Set(parsed.map((p) => p.id))].filter((id) => !repaired.has(id));
      await insertSeen(trx, ctx.deps.sync.dialect, seenBy, entity, unrecorded);
    }
    return repairs;
  }, next);
}

/** Every subscription status, passed explicitly: a list without it silently misses cancelled ones. */
export const allSubscriptionStatuses = ['future', 'in_trial', 'active', 'non_renewing', 'paused', 'cancelled', 'transferred'];

/** List parameters for a resource: deleted records and every status included, oldest change first. */
export function listParamsFor(entity: ListedEntity, updatedAfter: number | null): ListParams {
  const params: ListParams = { include_deleted: true, 'sort_by[asc]': 'updated_at' };
  if (entity === 'subscription') params['status[in]'] = JSON.stringify(allSubscriptionStatuses);
  if (updatedAfter !== null) params['updated_at[after]'] = updatedAfter;
  return params;
}
