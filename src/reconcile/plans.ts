import type { ChargebeeApiError, ListParams, ListResource } from '../chargebee/client.js';
import { remapSubscriptions } from '../sync/plans.js';
import { rowsOf, type Trx } from '../sync/db-helpers.js';
import { pageThrough } from './pages.js';
import type { RunContext } from './run-context.js';
import type { PlannedRepair } from './types.js';

interface ListedPlan {
  id: string;
  name: string | null;
  catalog: 'pc1' | 'pc2';
  status: string | null;
  currency: string | null;
  price: number | null;
  period: number | null;
  periodUnit: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** A PC 1.0 plan or PC 2.0 plan item price as a chargebee_plan row (pure). */
export function planOf(item: Record<string, unknown>, catalog: 'pc1' | 'pc2'): ListedPlan | null {
  const id = str(item.id);
  if (id === null) return null;
  return {
    id, catalog, name: str(item.external_name) ?? str(item.name), status: str(item.status), currency: str(item.currency_code),
    price: num(item.price), period: num(item.period), periodUnit: str(item.period_unit),
  };
}

async function upsertPlans(trx: Trx, plans: ListedPlan[]): Promise<void> {
  if (plans.length === 0) return;
  const seenAt = new Date();
  await trx('chargebee_plan').insert(plans.map((p) => ({
    id: p.id, name: p.name, catalog: p.catalog, status: p.status, currency: p.currency, price: p.price, period: p.period, period_unit: p.periodUnit, seen_at: seenAt,
  }))).onConflict('id').merge();
}

/**
 * Lists one catalog. A site answers the other catalog's endpoint with a 4xx (configuration_incompatible
 * and the like); that catalog is simply not in use, so it is skipped rather than counted as a failure.
 */
async function listCatalog(ctx: RunContext, resource: ListResource, catalog: 'pc1' | 'pc2', listed: Map<string, ListedPlan>): Promise<void> {
  const params: ListParams = catalog === 'pc2' ? { 'item_type[is]': 'plan' } : {};
  const notInUse = (error: ChargebeeApiError) => error.kind === 'client';
  await pageThrough(ctx, `plans:${catalog}`, resource, params, async (items, next) => {
    const plans = items.map((i) => planOf(i, catalog)).filter((p): p is ListedPlan => p !== null);
    for (const p of plans) listed.set(p.id, p);
    ctx.addScanned(resource, items.length);
    await ctx.commitPage(async (trx) => {
      if (!ctx.dryRun) await upsertPlans(trx, plans);
      return [];
    }, next);
  }, notInUse);
}

const mappedKey = '(select pm.plan_key from plan_mapping pm where pm.chargebee_plan_id = s.chargebee_plan_id)';

/** plan_mismatch repairs, set-based: subscriptions whose plan key is not what the mappings say now. */
async function recordPlanMismatches(ctx: RunContext, trx: Trx): Promise<number> {
  const now = new Date();
  await trx.raw(
    `insert into reconcile_repair (run_id, entity, entity_id, kind, version_before, version_after, detail, created_at)
     select ?, 'subscription', s.id, 'plan_mismatch', s.resource_version, s.resource_version,
            'plan key ' || coalesce(s.plan_key, '(none)') || ' -> ' || coalesce(${mappedKey}, '(none)'), ?
     from subscription s where s.plan_key is distinct from ${mappedKey}`,
    [ctx.run.id, now],
  );
  const [row] = await trx('reconcile_repair').where({ run_id: ctx.run.id, kind: 'plan_mismatch' }).count({ n: '*' });
  const n = Number(row?.n ?? 0);
  if (!ctx.dryRun) await remapSubscriptions(trx);
  return n;
}

/** unmapped_plan repairs: Chargebee plans (listed or in use) without a plan mapping, with their subscription counts. */
async function unmappedPlans(trx: Trx, listed: Map<string, ListedPlan>): Promise<PlannedRepair[]> {
  const inUse = new Map(rowsOf<{ id: string; n: unknown }>(await trx.raw(
    'select chargebee_plan_id as id, count(*) as n from subscription where chargebee_plan_id is not null and not deleted group by chargebee_plan_id',
  )).map((r) => [r.id, Number(r.n)]));
  const stored = rowsOf<{ id: string }>(await trx('chargebee_plan').select('id')).map((r) => r.id);
  const candidates = new Set([...listed.keys(), ...stored, ...inUse.keys()]);
  const mapped = new Set(rowsOf<{ chargebee_plan_id: string }>(await trx('plan_mapping').select('chargebee_plan_id')).map((r) => r.chargebee_plan_id));
  return [...candidates].filter((id) => !mapped.has(id)).sort().map((id) => ({
    entity: 'plan', entityId: id, kind: 'unmapped_plan' as const, versionBefore: null, versionAfter: null,
    detail: `${inUse.get(id) ?? 0} subscription(s) use it; no plan mapping`,
  }));
}

/** Plans: refresh Chargebee's plan list, re-resolve every subscription's plan key, report unmapped plans. */
export async function runPlans(ctx: RunContext): Promise<void> {
  // Plans are cheap to list: an interrupted plans run starts over rather than resuming mid-catalog.
  ctx.checkpoint = { phase: 'plans:pc1', maxSeen: {}, done: [], failures: ctx.checkpoint.failures ?? [] };
  // Plans are few (hundreds at most): holding them lets a dry run report unmapped ones it did not store.
  const listed = new Map<string, ListedPlan>();
  await listCatalog(ctx, 'plan', 'pc1', listed);
  await listCatalog(ctx, 'item_price', 'pc2', listed);
  ctx.phase = 'remap';
  ctx.throwIfAborted();
  await ctx.commitPage(async (trx) => {
    const mismatches = await recordPlanMismatches(ctx, trx);
    if (mismatches > 0) ctx.counters.repairs.plan_mismatch = (ctx.counters.repairs.plan_mismatch ?? 0) + mismatches;
    return unmappedPlans(trx, listed);
  }, { ...ctx.checkpoint, phase: 'remap', done: [...ctx.checkpoint.done, 'remap'] });
}
