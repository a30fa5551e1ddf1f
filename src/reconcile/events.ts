import { ingestEvents, parseEnvelope } from '../sync/ingest.js';
import { resourcesOfEvent } from '../sync/resources.js';
import { versionOf } from '../sync/version.js';
import type { EventEnvelope } from '../sync/chargebee-schema.js';
import { rowsOf } from '../sync/db-helpers.js';
import { repairKindFor, stateChanged, storedStates, type IncomingState, type StoredState } from './compare.js';
import { pageThrough, raiseMaxSeen } from './pages.js';
import type { RunContext } from './run-context.js';
import type { ListedEntity, PlannedRepair } from './types.js';

type Touched = Map<ListedEntity, Map<string, IncomingState>>;

/** The newest state of each resource the page's new events carry. */
function touchedBy(events: EventEnvelope[]): Touched {
  const touched: Touched = new Map([['customer', new Map()], ['subscription', new Map()], ['transaction', new Map()]]);
  const note = (entity: ListedEntity, id: string, state: IncomingState) => {
    const known = touched.get(entity)?.get(id);
    if (!known || state.version > known.version || (state.version === known.version && state.deleted)) touched.get(entity)?.set(id, state);
  };
  for (const event of events) {
    let set;
    try {
      set = resourcesOfEvent(event);
    } catch {
      continue; // ingestEvents records the event as failed; nothing to compare
    }
    for (const c of set.customers) note('customer', c.data.id, { version: versionOf(c.data), deleted: c.deleted });
    for (const s of set.subscriptions) note('subscription', s.data.id, { version: versionOf(s.data), deleted: s.deleted });
    for (const t of set.transactions) note('transaction', t.data.id, { version: versionOf(t.data), deleted: t.deleted });
  }
  return touched;
}

async function statesOf(ctx: RunContext, touched: Touched): Promise<Map<ListedEntity, Map<string, StoredState>>> {
  const result = new Map<ListedEntity, Map<string, StoredState>>();
  for (const [entity, ids] of touched) result.set(entity, await storedStates(ctx.deps.sync.knex, ctx.deps.sync.dialect, entity, [...ids.keys()]));
  return result;
}

/**
 * Events since the window start, oldest first, each through the webhook's own path (`ingestEvent`): the
 * inbox skips ids already applied. Repairs are what the page's new events changed, from one SELECT of
 * stored versions per resource kind before and one after. A dry run compares the events' states instead.
 */
export async function eventsPhase(ctx: RunContext, occurredAfter: number): Promise<boolean> {
  const params = { 'occurred_at[after]': occurredAfter, 'sort_by[asc]': 'occurred_at' };
  return pageThrough(ctx, 'events', 'event', params, async (items, next) => {
    const envelopes: { envelope: EventEnvelope; raw: Record<string, unknown> }[] = [];
    for (const raw of items) {
      raiseMaxSeen(next, 'events', typeof raw.occurred_at === 'number' ? raw.occurred_at : null);
      try {
        envelopes.push({ envelope: parseEnvelope(raw), raw });
      } catch (error) {
        ctx.fail(`event ${String(raw.id)}: ${(error as Error).message}`);
        next.failures = [...ctx.checkpoint.failures];
      }
    }
    ctx.addScanned('events', items.length);
    const ids = envelopes.map((e) => e.envelope.id);
    const known = new Set(ids.length === 0 ? [] : rowsOf<{ event_id: string }>(
      await ctx.deps.sync.knex('webhook_event').select('event_id').whereIn('event_id', ids),
    ).map((r) => r.event_id));
    const fresh = envelopes.filter((e) => !known.has(e.envelope.id));
    const touched = touchedBy(fresh.map((e) => e.envelope));
    const before = await statesOf(ctx, touched);
    if (!ctx.dryRun) {
      // The page's events share one transaction, as group-committed webhooks do; the checkpoint follows
      // the page, and events a killed run already ingested are skipped by the inbox when it is read again.
      await ingestEvents(ctx.deps.sync, fresh.map((e) => ({ event: e.envelope, payload: e.raw })), 'events_api');
    }
    const after = ctx.dryRun ? null : await statesOf(ctx, touched);
    await ctx.commitPage(async () => {
      const repairs: PlannedRepair[] = [];
      for (const [entity, incoming] of touched) {
        for (const [id, state] of incoming) {
          const stored = before.get(entity)?.get(id);
          if (after === null) {
            const kind = repairKindFor(stored, state);
            if (kind !== null) repairs.push({ entity, entityId: id, kind, versionBefore: stored?.version ?? null, versionAfter: state.version, detail: 'from events' });
            continue;
          }
          const now = after.get(entity)?.get(id);
          if (!stateChanged(stored, now) || now === undefined) continue;
          const kind = stored === undefined ? 'missing' : now.deleted && !stored.deleted ? 'deleted_upstream' : 'stale';
          repairs.push({ entity, entityId: id, kind, versionBefore: stored?.version ?? null, versionAfter: now.version, detail: 'from events' });
        }
      }
      return repairs;
    }, next);
  });
}
