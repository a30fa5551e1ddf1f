import { builder } from './builder.js';
import { connectionComplexity } from './customer.graphql.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import { defineLoader, load } from './loader.js';
import { countRows, keysetPage } from './pagination.js';
import {
  createPlanMapping, deletePlanMapping, mapPlanMapping, updatePlanMapping, upsertPlanMappings,
  type MappingChange, type PlanMappingRecord, type UpsertResult,
} from './plan-mapping.service.js';
import { col } from './sql.js';

const planMappingById = defineLoader<number, PlanMappingRecord | null>({
  name: 'planMappingById',
  missing: () => null,
  batch: async (ids, ctx) => {
    const rows = await ctx.db('plan_mapping').select('*').whereIn('id', [...ids]) as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.num(r.id), mapPlanMapping(r)]));
  },
});

const subscriptionCountByPlan = defineLoader<string, number>({
  name: 'subscriptionCountByPlan',
  missing: () => 0,
  batch: async (planIds, ctx) => {
    const rows = await ctx.db('subscription').select('chargebee_plan_id').count({ n: '*' })
      .whereIn('chargebee_plan_id', [...planIds]).where('deleted', false).groupBy('chargebee_plan_id') as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.str(r.chargebee_plan_id), col.num(r.n)]));
  },
});

export const PlanMapping = builder.objectRef<PlanMappingRecord>('PlanMapping');

builder.node(PlanMapping, {
  description: 'Maps a Chargebee plan id (PC 1.0 plan or PC 2.0 item price) to the platform\'s plan key',
  id: { resolve: (m) => m.id },
  loadMany: (ids, ctx) => Promise.all(ids.map((id) => load(ctx, planMappingById, Number(id)))),
  fields: (t) => ({
    chargebeePlanId: t.exposeString('chargebeePlanId'),
    planKey: t.exposeString('planKey'),
    displayName: t.exposeString('displayName', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    subscriptionCount: t.int({
      description: 'Subscriptions (not deleted) on this Chargebee plan',
      resolve: (m, _args, ctx) => load(ctx, subscriptionCountByPlan, m.chargebeePlanId),
    }),
  }),
});

builder.queryFields((t) => ({
  planMappings: t.connection({
    type: PlanMapping,
    description: 'Plan mappings ordered by Chargebee plan id',
    complexity: connectionComplexity,
    resolve: (_root, args, ctx) => keysetPage(args, {
      base: () => ctx.db('plan_mapping').select('*'),
      map: mapPlanMapping,
      key: 'chargebee_plan_id',
      keyOf: (m) => m.chargebeePlanId,
      keyKind: 'string',
      order: 'asc',
      count: () => countRows(ctx.db('plan_mapping')),
    }),
  }),
  planMapping: t.field({
    type: PlanMapping,
    nullable: true,
    args: { id: t.arg.globalID({ required: true, for: [PlanMapping] }) },
    resolve: (_root, args, ctx) => load(ctx, planMappingById, Number(args.id.id)),
  }),
}));

const PlanMappingPayload = builder.objectRef<MappingChange>('PlanMappingPayload').implement({
  fields: (t) => ({
    planMapping: t.field({ type: PlanMapping, resolve: (p) => p.planMapping, description: 'The mapping (as it was, for a deletion)' }),
    remappedSubscriptions: t.exposeInt('remappedSubscriptions', { description: 'Subscriptions whose plan key changed as a result' }),
  }),
});

const UpsertPlanMappingsPayload = builder.objectRef<UpsertResult>('UpsertPlanMappingsPayload').implement({
  fields: (t) => ({
    planMappings: t.field({ type: [PlanMapping], resolve: (p) => p.planMappings }),
    created: t.exposeInt('created'),
    updated: t.exposeInt('updated'),
    unchanged: t.exposeInt('unchanged'),
    remappedSubscriptions: t.exposeInt('remappedSubscriptions'),
  }),
});

const PlanMappingEntryInput = builder.inputType('PlanMappingEntryInput', {
  fields: (t) => ({
    chargebeePlanId: t.string({ required: true }),
    planKey: t.string({ required: true }),
    displayName: t.string(),
  }),
});

const UpdatePlanMappingInput = builder.inputType('UpdatePlanMappingInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: [PlanMapping] }),
    chargebeePlanId: t.string({ description: 'Omit to keep' }),
    planKey: t.string({ description: 'Omit to keep' }),
    displayName: t.string({ description: 'Omit to keep, null to clear' }),
  }),
});

const UpsertPlanMappingsInput = builder.inputType('UpsertPlanMappingsInput', {
  fields: (t) => ({ mappings: t.field({ type: [PlanMappingEntryInput], required: true }) }),
});

builder.mutationFields((t) => ({
  createPlanMapping: t.field({
    type: PlanMappingPayload,
    description: 'Maps a Chargebee plan id and re-maps its subscriptions, in one transaction',
    authScopes: { admin: true },
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: PlanMappingEntryInput, required: true }) },
    resolve: (_root, args, ctx) => createPlanMapping(ctx, args.input),
  }),
  updatePlanMapping: t.field({
    type: PlanMappingPayload,
    description: 'Changes a mapping; subscriptions on the old and new Chargebee plan id are re-mapped',
    authScopes: { admin: true },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: UpdatePlanMappingInput, required: true }) },
    resolve: (_root, args, ctx) => updatePlanMapping(ctx, { ...args.input, id: args.input.id.id }),
  }),
  deletePlanMapping: t.field({
    type: PlanMappingPayload,
    description: 'Removes a mapping; its subscriptions become unmapped',
    authScopes: { admin: true },
    errors: { types: [ValidationError, NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: [PlanMapping] }) },
    resolve: (_root, args, ctx) => deletePlanMapping(ctx, args.id.id),
  }),
  upsertPlanMappings: t.field({
    type: UpsertPlanMappingsPayload,
    description: 'Creates or updates mappings by Chargebee plan id (at most 500), all in one transaction',
    authScopes: { admin: true },
    errors: { types: [ValidationError] },
    args: { input: t.arg({ type: UpsertPlanMappingsInput, required: true }) },
    resolve: (_root, args, ctx) => upsertPlanMappings(ctx, args.input),
  }),
}));
