import { z } from 'zod';
import type { Trx } from '../sync/db-helpers.js';
import { planMappingFromRow as mapPlanMapping, remapSubscriptions, type PlanMappingRecord } from '../sync/plans.js';
import { writeAudit } from './audit.js';
import type { GraphQLContext } from './context/context.js';
import { ConflictError, NotFoundError, validate } from './errors.js';

export { planMappingFromRow as mapPlanMapping, type PlanMappingRecord } from '../sync/plans.js';

const chargebeePlanId = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');
const planKey = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');
const displayName = z.string().trim().max(200, 'at most 200 characters').nullish();
const mappingId = z.coerce.number().int().positive();

export const createSchema = z.object({ chargebeePlanId, planKey, displayName });
export const updateSchema = z.object({ id: mappingId, chargebeePlanId: chargebeePlanId.nullish(), planKey: planKey.nullish(), displayName });
export const upsertSchema = z.object({
  mappings: z.array(z.object({ chargebeePlanId, planKey, displayName })).min(1, 'at least one mapping').max(500, 'at most 500 mappings per call'),
}).superRefine((input, issues) => {
  const seen = new Set<string>();
  input.mappings.forEach((m, i) => {
    if (seen.has(m.chargebeePlanId)) issues.addIssue({ code: 'custom', path: ['mappings', i, 'chargebeePlanId'], message: `${m.chargebeePlanId} appears more than once` });
    seen.add(m.chargebeePlanId);
  });
});

export interface MappingChange {
  planMapping: PlanMappingRecord;
  remappedSubscriptions: number;
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

async function findById(trx: Trx, id: number): Promise<PlanMappingRecord | null> {
  const row = await trx('plan_mapping').select('*').where('id', id).first() as Record<string, unknown> | undefined;
  return row ? mapPlanMapping(row) : null;
}

async function findByPlanIds(trx: Trx, planIds: readonly string[]): Promise<PlanMappingRecord[]> {
  const rows = await trx('plan_mapping').select('*').whereIn('chargebee_plan_id', [...planIds]).orderBy('chargebee_plan_id') as Record<string, unknown>[];
  return rows.map(mapPlanMapping);
}

const conflict = (planId: string) => new ConflictError(`Chargebee plan ${planId} is already mapped`, 'chargebeePlanId');

/** Runs a mapping change in one transaction; a unique-index race surfaces as the same Conflict a pre-check gives. */
async function inTransaction<T>(ctx: GraphQLContext, planId: string | null, work: (trx: Trx) => Promise<T>): Promise<T> {
  try {
    return await ctx.db.transaction(work);
  } catch (error) {
    if (planId !== null && isUniqueViolation(error)) throw conflict(planId);
    throw error;
  }
}

export async function createPlanMapping(ctx: GraphQLContext, raw: unknown): Promise<MappingChange> {
  const input = validate(createSchema, raw);
  return inTransaction(ctx, input.chargebeePlanId, async (trx) => {
    if ((await findByPlanIds(trx, [input.chargebeePlanId])).length > 0) throw conflict(input.chargebeePlanId);
    const now = new Date();
    await trx('plan_mapping').insert({
      chargebee_plan_id: input.chargebeePlanId, plan_key: input.planKey, display_name: input.displayName ?? null, created_at: now, updated_at: now,
    });
    const [planMapping] = await findByPlanIds(trx, [input.chargebeePlanId]);
    if (!planMapping) throw new Error('inserted plan mapping not found');
    const remappedSubscriptions = await remapSubscriptions(trx, [input.chargebeePlanId]);
    await writeAudit(trx, ctx, { action: 'plan_mapping.create', target: `plan_mapping:${input.chargebeePlanId}`, before: null, after: { ...planMapping, remappedSubscriptions } });
    return { planMapping, remappedSubscriptions };
  });
}

export async function updatePlanMapping(ctx: GraphQLContext, raw: unknown): Promise<MappingChange> {
  const input = validate(updateSchema, raw);
  return inTransaction(ctx, input.chargebeePlanId ?? null, async (trx) => {
    const before = await findById(trx, input.id);
    if (before === null) throw new NotFoundError('PlanMapping', String(input.id));
    const planId = input.chargebeePlanId ?? before.chargebeePlanId;
    if (planId !== before.chargebeePlanId && (await findByPlanIds(trx, [planId])).length > 0) throw conflict(planId);
    await trx('plan_mapping').where('id', input.id).update({
      chargebee_plan_id: planId,
      plan_key: input.planKey ?? before.planKey,
      // Absent keeps the name; an explicit null clears it.
      display_name: input.displayName === undefined ? before.displayName : input.displayName,
      updated_at: new Date(),
    });
    const planMapping = await findById(trx, input.id);
    if (planMapping === null) throw new Error('updated plan mapping not found');
    const remappedSubscriptions = await remapSubscriptions(trx, [...new Set([before.chargebeePlanId, planId])]);
    await writeAudit(trx, ctx, { action: 'plan_mapping.update', target: `plan_mapping:${planId}`, before, after: { ...planMapping, remappedSubscriptions } });
    return { planMapping, remappedSubscriptions };
  });
}

export async function deletePlanMapping(ctx: GraphQLContext, id: unknown): Promise<MappingChange> {
  const { id: mapping } = validate(z.object({ id: mappingId }), { id }, []);
  return inTransaction(ctx, null, async (trx) => {
    const before = await findById(trx, mapping);
    if (before === null) throw new NotFoundError('PlanMapping', String(mapping));
    await trx('plan_mapping').where('id', mapping).delete();
    const remappedSubscriptions = await remapSubscriptions(trx, [before.chargebeePlanId]);
    await writeAudit(trx, ctx, { action: 'plan_mapping.delete', target: `plan_mapping:${before.chargebeePlanId}`, before, after: { remappedSubscriptions } });
    return { planMapping: before, remappedSubscriptions };
  });
}

export interface UpsertResult {
  planMappings: PlanMappingRecord[];
  created: number;
  updated: number;
  unchanged: number;
  remappedSubscriptions: number;
}

/** Creates or updates many mappings by Chargebee plan id, then re-maps their subscriptions once. */
export async function upsertPlanMappings(ctx: GraphQLContext, raw: unknown): Promise<UpsertResult> {
  const input = validate(upsertSchema, raw);
  const planIds = input.mappings.map((m) => m.chargebeePlanId);
  return inTransaction(ctx, null, async (trx) => {
    const before = await findByPlanIds(trx, planIds);
    const existing = new Map(before.map((m) => [m.chargebeePlanId, m]));
    const now = new Date();
    let created = 0;
    let updated = 0;
    for (const m of input.mappings) {
      const old = existing.get(m.chargebeePlanId);
      const name = m.displayName ?? null;
      if (old === undefined) {
        await trx('plan_mapping').insert({ chargebee_plan_id: m.chargebeePlanId, plan_key: m.planKey, display_name: name, created_at: now, updated_at: now });
        created += 1;
      } else if (old.planKey !== m.planKey || old.displayName !== name) {
        await trx('plan_mapping').where('id', old.id).update({ plan_key: m.planKey, display_name: name, updated_at: now });
        updated += 1;
      }
    }
    const planMappings = await findByPlanIds(trx, planIds);
    const remappedSubscriptions = await remapSubscriptions(trx, planIds);
    const summary = { created, updated, unchanged: input.mappings.length - created - updated, remappedSubscriptions };
    await writeAudit(trx, ctx, { action: 'plan_mapping.upsert', target: `plan_mapping:${planIds.length} plans`, before, after: { planMappings, ...summary } });
    return { planMappings, ...summary };
  });
}

