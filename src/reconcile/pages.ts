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
import type { Checkpoint, ListedEntity, PlannedRepair } from './types.js';

/**
 * Pages through one list call from the checkpoint's offset. `onPage` commits each page together with
 * the checkpoint it is given. Returns whether the phase completed; an API failure that survived the
 * client's retries ends the phase (there is no next offset to go on with) and is recorded.
 */
export async function pageThrough(
  ctx: RunContext, phase: string, resource: ListResource, params: ListParams,
  onPage: (items: Record<string, unknown>[], next: Checkpoint) => Promise<void>,
  /** An API error that means "nothing to list here" rather than a failure. */
  tolerate?: (error: ChargebeeApiError) => boolean,
): Promise<boolean> {
  ctx.phase = phase;
  let offset = ctx.checkpoint.phase === phase ? ctx.checkpoint.offset : undefined;
  for (;;) {
    ctx.throwIfAborted();
    let page;
    try {
      page = await ctx.deps.api.list(resource, { ...params, limit: ctx.deps.settings.pageSize, ...(offset ? { offset } : {}) }, ctx.counters.api);
    } catch (error) {
      if (isFatalApiError(error) || !(error instanceof ChargebeeApiError)) throw error;
      if (tolerate?.(error)) {
        ctx.deps.logger.info({ phase, status: error.status, code: error.code }, 'list not available on this site; skipped');
        ctx.checkpoint.done = [...ctx.checkpoint.done, phase];
        return true;
      }
      ctx.fail(`${phase}: ${error.message}`);
      return false;
    }
    const last = page.nextOffset === undefined;
    const failuresBefore = ctx.checkpoint.failures.length;
    const next: Checkpoint = { ...ctx.checkpoint, phase, offset: page.nextOffset, maxSeen: { ...ctx.checkpoint.maxSeen }, failures: [...ctx.checkpoint.failures] };
    await onPage(page.items, next);
    if (last) {
      if (ctx.checkpoint.failures.length === failuresBefore) ctx.checkpoint.done = [...ctx.checkpoint.done, phase];
      return true;
    }
    offset = page.nextOffset;
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
 * One page of a resource list: compares the page against stored versions (one SELECT for the page),
 * hands the resources that are newer to the apply path and records what changed. A dry run only compares.
 * `seenBy` records the page's ids for the full run's tombstone pass.
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
      await trx('reconcile_seen').insert(parsed.map((p) => ({ run_id: seenBy, entity, entity_id: p.id })))
        .onConflict(['run_id', 'entity', 'entity_id']).ignore();
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
