import { rowsOf } from '../sync/db-helpers.js';
import { readWatermarks, type Watermarks } from './run-store.js';
import { toDate } from '../sync/db-helpers.js';
import { eventsPhase } from './events.js';
import { listParamsFor, reconcileResourceList } from './pages.js';
import type { RunContext } from './run-context.js';
import { listedEntities, type Checkpoint, type ListedEntity } from './types.js';

/**
 * The second-net lists this run does. Scheduled runs rotate (each resource every few runs) so that an
 * idle run costs 1 + netListsPerRun calls; every resource keeps its own watermark, so a skipped turn
 * delays the net but leaves no gap. An explicit --since window lists everything.
 */
export function netsForRound(round: number, perRun: number): ListedEntity[] {
  if (perRun >= listedEntities.length) return [...listedEntities];
  const picked = new Set<ListedEntity>();
  for (let i = 0; i < perRun; i++) picked.add(listedEntities[(round * perRun + i) % listedEntities.length]);
  return listedEntities.filter((e) => picked.has(e));
}

/** Where to start when nothing was recorded yet: the newest event in the inbox, else the beginning. */
async function fallbackStart(ctx: RunContext): Promise<number> {
  const row = rowsOf<{ latest: unknown }>(await ctx.deps.sync.knex('webhook_event').max({ latest: 'occurred_at' }))[0];
  const latest = toDate(row?.latest ?? null);
  return latest === null ? 0 : Math.floor(latest.getTime() / 1000);
}

async function initialCheckpoint(ctx: RunContext, marks: Watermarks): Promise<Checkpoint> {
  const overlap = ctx.deps.settings.overlapSeconds;
  const explicit = ctx.request.since ? Math.floor(ctx.request.since.getTime() / 1000) : null;
  const base = explicit ?? marks.events ?? await fallbackStart(ctx);
  const windowStart = (mark: number | null | undefined) => (explicit !== null ? explicit : Math.max(0, (mark ?? base) - overlap));
  const nets = explicit !== null ? [...listedEntities] : netsForRound(marks.netRound ?? 0, ctx.deps.settings.netListsPerRun);
  const since: Record<string, number> = { events: windowStart(marks.events) };
  for (const entity of nets) since[entity] = windowStart(marks[entity] ?? marks.events);
  return { phase: 'events', since, nets, maxSeen: {}, done: [], failures: [] };
}

/**
 * Incremental: events since the watermark through the webhook path, then `updated_at[after]` lists as a
 * second net. API calls grow with the number of changes, not with the size of the site.
 */
export async function runIncremental(ctx: RunContext): Promise<void> {
  if (ctx.checkpoint.phase === 'start') ctx.checkpoint = await initialCheckpoint(ctx, await readWatermarks(ctx.deps.sync.knex));
  const since = ctx.checkpoint.since ?? {};
  if (!ctx.checkpoint.done.includes('events')) await eventsPhase(ctx, since.events ?? 0);
  for (const entity of ctx.checkpoint.nets ?? []) {
    if (ctx.checkpoint.done.includes(entity)) continue;
    await reconcileResourceList(ctx, entity, listParamsFor(entity, since[entity] ?? 0), null);
  }
}
