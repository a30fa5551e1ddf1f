import type { ChargebeeApi, ListParams, ListResource } from '../chargebee/client.js';
import { ChargebeeApiError } from '../chargebee/client.js';
import { applyResources } from '../sync/apply.js';
import {
  emptyResourceSet, parseCustomer, parseSubscription, parseTransaction, type ResourceSet, type Tombstonable,
} from '../sync/resources.js';
import { versionOf } from '../sync/version.js';
import type { Trx } from '../sync/db-helpers.js';
import { sqlOf } from '../sync/sql.js';
import { repairKindFor, storedStates } from './compare.js';
import { isFatalApiError, type RunContext } from './run-context.js';
import { insertSeen } from './run-store.js';
import type { Checkpoint, ListedEntity, PlannedRepair, ReconcileSettings } from './types.js';

/** How a paged list is grouped into commits and read ahead. */
export interface PageBatching {
  /** Pages handed over (and so committed) together; 1 = one commit per page. */
  pages: number;
  /** A batch is handed over once its first page is this old, however few pages it has (slow, budgeted runs). */
  maxAgeMs: number;
  /**
   * Pages read beyond the batch being committed, so that the API round trips and reading the answers
   * overlap the database's work on the batch. 0 = a page is requested only when the previous is handed over.
   */
  readAhead: number;
}

const onePagePerCommit: PageBatching = { pages: 1, maxAgeMs: 0, readAhead: 0 };

/** The batching of resource lists (full and second-net passes) under the run's settings. */
export function batchingOf(settings: ReconcileSettings): PageBatching {
  const pages = Math.max(1, settings.pagesPerCommit);
  return { pages, maxAgeMs: settings.commitAtLeastEveryMs, readAhead: settings.readAhead ? pages : 0 };
}

type ListPage = Awaited<ReturnType<ChargebeeApi['list']>>;
/** A page as read (and prepared), or the error reading it: a page read ahead must never become an unhandled rejection. */
type Read<P> = { page: ListPage; prepared: P } | { error: unknown };

/**
 * Reads one list's pages in order, each request with the previous answer's offset, up to `ahead` pages
 * beyond what was taken. `prepare` runs on each page as it arrives, so that work overlaps too.
 */
class PageReader<P> {
  private readonly queue: Read<P>[] = [];
  private waiting: (() => void) | null = null;
  private inFlight: Promise<void> | null = null;
  private finished = false;
  private stopped = false;

  constructor(
    private readonly fetch: (offset: string | undefined) => Promise<ListPage>,
    private readonly prepare: (items: Record<string, unknown>[]) => P,
    private offset: string | undefined,
    private readonly ahead: number,
    private readonly aborted: () => boolean,
  ) {}

  /** The next page in order (requested now if it was not already). */
  async take(): Promise<Read<P>> {
    this.fill(true);
    while (this.queue.length === 0) {
      if (this.inFlight === null) throw new Error('no page left to read');
      await new Promise<void>((resolve) => { this.waiting = resolve; });
    }
    const read = this.queue.shift() as Read<P>;
    this.fill(false);
    return read;
  }

  /** No further requests; waits for the one under way, whose answer is dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.inFlight;
  }

  /** Requests the next page: when the caller needs it now, or as read-ahead while fewer than `ahead` wait. */
  private fill(needed: boolean): void {
    if (this.inFlight !== null || this.finished || this.stopped) return;
    if (!needed && (this.queue.length >= this.ahead || this.aborted())) return;
    this.inFlight = this.fetch(this.offset).then(
      (page): Read<P> => {
        this.offset = page.nextOffset;
        if (page.nextOffset === undefined) this.finished = true;
        try {
          return { page, prepared: this.prepare(page.items) };
        } catch (error) {
          this.finished = true;
          return { error };
        }
      },
      (error: unknown): Read<P> => {
        this.finished = true;
        return { error };
      },
    ).then((read) => {
      this.inFlight = null;
      if (this.stopped) return;
      this.queue.push(read);
      this.waiting?.();
      this.waiting = null;
      this.fill(false);
    });
  }
}

/**
 * Pages through one list call from the checkpoint's offset. `onPages` commits what it is given together
 * with the checkpoint after it; with `batching`, several consecutive pages come in one call (one
 * transaction, one set-based apply), the checkpoint points past the last of them, and the next pages
 * are read while the batch is committed. No transaction is open while a page is fetched. Returns
 * whether the phase completed; an API failure that survived the client's retries ends the phase (there
 * is no next offset to go on with) and is recorded after the pages read before it are committed.
 */
export async function readPages<P>(
  ctx: RunContext, phase: string, resource: ListResource, params: ListParams,
  prepare: (items: Record<string, unknown>[]) => P,
  onPages: (pages: P[], next: Checkpoint) => Promise<void>,
  options: {
    /** An API error that means "nothing to list here" rather than a failure. */
    tolerate?: (error: ChargebeeApiError) => boolean;
    batching?: PageBatching;
  } = {},
): Promise<boolean> {
  ctx.phase = phase;
  const batching = options.batching ?? onePagePerCommit;
  let offset = ctx.checkpoint.phase === phase ? ctx.checkpoint.offset : undefined;
  const reader = new PageReader(
    (at) => ctx.deps.api.list(resource, { ...params, limit: ctx.deps.settings.pageSize, ...(at ? { offset: at } : {}) }, ctx.counters.api),
    prepare, offset, batching.readAhead, () => ctx.signal.aborted,
  );
  let pending: P[] = [];
  let batchStarted = 0;
  /** Hands the pages taken so far to `onPages`, with the checkpoint at `offset` (after them). */
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const pages = pending;
    pending = [];
    const next: Checkpoint = { ...ctx.checkpoint, phase, offset, maxSeen: { ...ctx.checkpoint.maxSeen }, failures: [...ctx.checkpoint.failures] };
    await onPages(pages, next);
  };
  try {
    for (;;) {
      if (ctx.signal.aborted) await flush();
      ctx.throwIfAborted();
      const read = await reader.take();
      if ('error' in read) {
        const { error } = read;
        if (isFatalApiError(error) || !(error instanceof ChargebeeApiError)) throw error;
        await flush();
        if (options.tolerate?.(error)) {
          ctx.deps.logger.info({ phase, status: error.status, code: error.code }, 'list not available on this site; skipped');
          ctx.checkpoint.done = [...ctx.checkpoint.done, phase];
          return true;
        }
        ctx.fail(`${phase}: ${error.message}`);
        return false;
      }
      const last = read.page.nextOffset === undefined;
      if (pending.length === 0) batchStarted = performance.now();
      pending.push(read.prepared);
      offset = read.page.nextOffset;
      if (last) {
        const failuresBefore = ctx.checkpoint.failures.length;
        await flush();
        if (ctx.checkpoint.failures.length === failuresBefore) ctx.checkpoint.done = [...ctx.checkpoint.done, phase];
        return true;
      }
      if (pending.length >= batching.pages || performance.now() - batchStarted >= batching.maxAgeMs) await flush();
    }
  } finally {
    await reader.stop();
  }
}

/** readPages for callers that take a page's items as they come (one commit per page). */
export function pageThrough(
  ctx: RunContext, phase: string, resource: ListResource, params: ListParams,
  onPage: (items: Record<string, unknown>[], next: Checkpoint) => Promise<void>,
  tolerate?: (error: ChargebeeApiError) => boolean,
): Promise<boolean> {
  return readPages(ctx, phase, resource, params, (items) => items, (pages, next) => onPage(pages.flat(), next), { tolerate });
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

/** A resource page, parsed as it arrives (before it is committed). */
export interface ParsedPage {
  records: { id: string; data: unknown; version: number; deleted: boolean }[];
  /** One line per record that failed to parse. */
  failures: string[];
  /** Greatest updated_at on the page. */
  maxUpdatedAt: number | null;
  size: number;
}

export function parsePage(entity: ListedEntity, items: Record<string, unknown>[]): ParsedPage {
  const page: ParsedPage = { records: [], failures: [], maxUpdatedAt: null, size: items.length };
  for (const item of items) {
    try {
      const data = parsers[entity](item);
      page.records.push({ id: data.id, data, version: versionOf(data), deleted: data.deleted === true });
    } catch (error) {
      page.failures.push(`${entity} ${String(item.id)}: ${(error as Error).message}`);
    }
    if (typeof item.updated_at === 'number') page.maxUpdatedAt = Math.max(page.maxUpdatedAt ?? 0, item.updated_at);
  }
  return page;
}

/** Reads every page of one resource list and reconciles it, a batch of pages per commit. */
export function reconcileResourceList(ctx: RunContext, entity: ListedEntity, params: ListParams, seenBy: number | null): Promise<boolean> {
  return readPages(ctx, entity, entity, params, (items) => parsePage(entity, items),
    (pages, next) => reconcileResourcePages(ctx, entity, pages, next, seenBy), { batching: batchingOf(ctx.deps.settings) });
}

/**
 * A batch of consecutive pages of a resource list: compares it against stored versions (one SELECT per
 * 500 ids), hands the resources that are newer to the apply path together and records what changed.
 * A dry run only compares. `seenBy` records the ids for the full run's tombstone pass: an id recorded as
 * a repair of the run counts as seen already (the tombstone pass reads both), so only the others are
 * written to reconcile_seen.
 */
export async function reconcileResourcePages(
  ctx: RunContext, entity: ListedEntity, pages: ParsedPage[], next: Checkpoint, seenBy: number | null,
): Promise<void> {
  const parsed: ParsedPage['records'] = [];
  for (const page of pages) {
    for (const failure of page.failures) {
      ctx.fail(failure);
      next.failures = [...ctx.checkpoint.failures];
    }
    for (const record of page.records) parsed.push(record);
    raiseMaxSeen(next, entity, page.maxUpdatedAt);
    ctx.addScanned(entity, page.size);
  }
  await ctx.commitPage(async (trx: Trx) => {
    const before = await storedStates(trx, ctx.deps.sync.dialect, entity, parsed.map((p) => p.id));
    const planned: { repair: PlannedRepair; entry: Tombstonable<unknown> }[] = [];
    const set = emptyResourceSet();
    for (const p of parsed) {
      const stored = before.get(p.id);
      const kind = repairKindFor(stored, p);
      if (kind === null) continue;
      const repair: PlannedRepair = { entity, entityId: p.id, kind, versionBefore: stored?.version ?? null, versionAfter: p.version };
      planned.push({ repair, entry: addToSet(set, entity, p.data, p.deleted) });
    }
    // The batch's repair candidates go through the one apply path together; only the states that
    // took effect (the database's version guard decides) are recorded as repairs. A dry run only compares.
    const outcome = !ctx.dryRun && planned.length > 0 ? await applyResources(ctx.applyContext(await sqlOf(trx, ctx.deps.sync.dialect)), set) : null;
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
