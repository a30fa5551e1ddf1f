import { z } from 'zod';
import { builder } from './builder.js';
import type { GraphQLContext } from './context/context.js';
import { connectionComplexity, parseFilter } from './customer.graphql.js';
import { ConflictError, DomainError, ErrorInterface, NotFoundError, ValidationError, validate } from './errors.js';
import { countRows, keysetPage } from './pagination.js';
import { PlanMapping } from './plan-mapping.graphql.js';
import { SyncStatus } from './sync-status.graphql.js';
import { writeAudit } from './audit.js';
import { col } from './sql.js';
import { reconcileModes, reconcileStatuses, type ReconcileMode } from '../db/entities/reconcile-run.entity.js';
import { repairKinds } from '../db/entities/reconcile-repair.entity.js';
import { runFromRow } from '../reconcile/run-store.js';
import {
  getReconcileRun, importPlanMappings, reconcileStatus, ReconcileBusyError, triggerReconcile, UnknownPlanError,
} from '../reconcile/service.js';
import type { RunSummary } from '../reconcile/types.js';

/** Raised when the reconciler has no Chargebee site and API key to work with. */
export class ReconcilerDisabledError extends DomainError {
  override name = 'ReconcilerDisabledError';
  constructor() {
    super('The reconciler is disabled: set CHARGEBEE_SITE and CHARGEBEE_API_KEY');
  }
}

builder.objectType(ReconcilerDisabledError, {
  name: 'ReconcilerDisabledError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ReconcilerDisabledError,
  fields: () => ({}),
});

const ModeEnum = builder.enumType('ReconcileMode', { values: reconcileModes });
const StatusEnum = builder.enumType('ReconcileStatus', { values: reconcileStatuses });
const RepairKindEnum = builder.enumType('RepairKind', { values: repairKinds });

interface Count {
  name: string;
  count: number;
}
const CountRef = builder.objectRef<Count>('ReconcileCount').implement({
  fields: (t) => ({ name: t.exposeString('name'), count: t.exposeInt('count') }),
});
const countsOf = (record: Partial<Record<string, number>>): Count[] =>
  Object.entries(record).map(([name, count]) => ({ name, count: count ?? 0 })).sort((a, b) => a.name.localeCompare(b.name));

interface RepairRecord {
  id: number;
  entity: string;
  entityId: string;
  kind: (typeof repairKinds)[number];
  versionBefore: number | null;
  versionAfter: number | null;
  detail: string | null;
  createdAt: Date;
}
const mapRepair = (r: Record<string, unknown>): RepairRecord => ({
  id: col.num(r.id), entity: col.str(r.entity), entityId: col.str(r.entity_id), kind: col.str(r.kind) as RepairRecord['kind'],
  versionBefore: r.version_before === null || r.version_before === undefined ? null : col.num(r.version_before),
  versionAfter: r.version_after === null || r.version_after === undefined ? null : col.num(r.version_after),
  detail: col.strOrNull(r.detail), createdAt: col.date(r.created_at),
});

const ReconcileRepair = builder.objectRef<RepairRecord>('ReconcileRepair').implement({
  description: 'A row the reconciler repaired (or, in a dry run, would have)',
  fields: (t) => ({
    entity: t.exposeString('entity', { description: 'customer, subscription, transaction or plan' }),
    entityId: t.exposeString('entityId', { description: 'Chargebee id' }),
    kind: t.field({ type: RepairKindEnum, resolve: (r) => r.kind }),
    versionBefore: t.float({ nullable: true, resolve: (r) => r.versionBefore, description: 'Stored resource_version before (ms)' }),
    versionAfter: t.float({ nullable: true, resolve: (r) => r.versionAfter, description: 'Chargebee\'s resource_version (ms)' }),
    detail: t.exposeString('detail', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const ReconcileRun = builder.objectRef<RunSummary>('ReconcileRun');

builder.node(ReconcileRun, {
  description: 'One reconciler run and what it did',
  id: { resolve: (r) => r.id },
  loadOne: async (id, ctx) => (await getReconcileRun(ctx.db, Number(id), { limit: 0 }))?.run ?? null,
  fields: (t) => ({
    runId: t.exposeInt('id', { description: 'The run number, as the CLI and logs show it' }),
    mode: t.field({ type: ModeEnum, resolve: (r) => r.mode }),
    dryRun: t.exposeBoolean('dryRun'),
    status: t.field({ type: StatusEnum, resolve: (r) => r.status, description: 'never succeeded when any page failed' }),
    trigger: t.exposeString('trigger', { description: 'schedule, cli, graphql:<token name>, …' }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    scanned: t.field({ type: [CountRef], resolve: (r) => countsOf(r.scanned), description: 'Records read from Chargebee, by resource' }),
    repairCounts: t.field({ type: [CountRef], resolve: (r) => countsOf(r.repairs), description: 'Repairs by kind' }),
    apiCalls: t.exposeInt('apiCalls'),
    rateLimited: t.exposeInt('rateLimited', { description: '429 answers received' }),
    error: t.exposeString('error', { nullable: true }),
    resumed: t.exposeBoolean('resumed', { description: 'It continued an interrupted run' }),
    repairs: t.connection({
      type: ReconcileRepair,
      description: 'What it repaired, in the order it did',
      complexity: connectionComplexity,
      resolve: (run, args, ctx) => keysetPage(args, {
        base: () => ctx.db('reconcile_repair').select('*').where('run_id', run.id),
        map: mapRepair,
        key: 'id',
        keyOf: (r) => r.id,
        keyKind: 'integer',
        order: 'asc',
        count: () => countRows(ctx.db('reconcile_repair').where('run_id', run.id)),
      }),
    }),
  }),
});

const runFilterSchema = z.object({ mode: z.enum(reconcileModes).nullish(), status: z.enum(reconcileStatuses).nullish() }).strict();
const RunFilterInput = builder.inputType('ReconcileRunFilter', {
  fields: (t) => ({ mode: t.field({ type: ModeEnum }), status: t.field({ type: StatusEnum }) }),
});

function filteredRuns(ctx: GraphQLContext, filter: z.infer<typeof runFilterSchema>) {
  const query = ctx.db('reconcile_run');
  if (filter.mode) void query.where('mode', filter.mode);
  if (filter.status) void query.where('status', filter.status);
  return query;
}

builder.queryFields((t) => ({
  reconcileRuns: t.connection({
    type: ReconcileRun,
    description: 'Reconciler runs, newest first',
    args: { filter: t.arg({ type: RunFilterInput }) },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx) => {
      const filter = parseFilter(runFilterSchema, args.filter);
      return keysetPage(args, {
        base: () => filteredRuns(ctx, filter).select('*'),
        map: (row) => ({ ...stripInternal(runFromRow(row)), resumed: false }),
        key: 'id',
        keyOf: (r) => r.id,
        keyKind: 'integer',
        order: 'desc',
        count: () => countRows(filteredRuns(ctx, filter)),
      });
    },
  }),
  reconcileRun: t.field({
    type: ReconcileRun,
    nullable: true,
    args: { id: t.arg.globalID({ required: true, for: [ReconcileRun] }) },
    resolve: async (_root, args, ctx) => (await getReconcileRun(ctx.db, Number(args.id.id), { limit: 0 }))?.run ?? null,
  }),
}));

function stripInternal(run: ReturnType<typeof runFromRow>): Omit<RunSummary, 'resumed'> {
  const { checkpoint: _checkpoint, heartbeatAt: _heartbeat, ...rest } = run;
  return rest;
}

const triggerSchema = z.object({ mode: z.enum(reconcileModes), dryRun: z.boolean() });

const ImportPlanMappingsPayload = builder.objectRef<{ planMappings: { id: number; chargebeePlanId: string; planKey: string; displayName: string | null; createdAt: Date; updatedAt: Date }[] }>('ImportPlanMappingsPayload').implement({
  fields: (t) => ({
    planMappings: t.field({ type: [PlanMapping], resolve: (p) => p.planMappings, description: 'The identity mappings created' }),
  }),
});

builder.mutationFields((t) => ({
  triggerReconcile: t.field({
    type: ReconcileRun,
    description: 'Starts a reconcile run and returns it as soon as it exists (status running); follow it with reconcileRun',
    authScopes: { admin: true },
    errors: { types: [ConflictError, ReconcilerDisabledError, ValidationError] },
    args: { mode: t.arg({ type: ModeEnum, required: true }), dryRun: t.arg.boolean({ defaultValue: false }) },
    resolve: async (_root, args, ctx) => {
      const input = validate(triggerSchema, { mode: args.mode, dryRun: args.dryRun ?? false }, []);
      const reconciler = ctx.deps.reconciler;
      if (!reconciler) throw new ReconcilerDisabledError();
      let run: RunSummary;
      try {
        run = await triggerReconcile(reconciler, { mode: input.mode as ReconcileMode, dryRun: input.dryRun, trigger: `graphql:${ctx.viewer.name}` });
      } catch (error) {
        if (error instanceof ReconcileBusyError) throw new ConflictError(`Another reconcile run is in progress: ${error.message}`);
        throw error;
      }
      await ctx.db.transaction((trx) => writeAudit(trx, ctx, {
        action: 'reconcile.trigger', target: `reconcile_run:${run.id}`, before: null, after: { mode: run.mode, dryRun: run.dryRun },
      }));
      return run;
    },
  }),
  importPlanMappings: t.field({
    type: ImportPlanMappingsPayload,
    description: 'Creates identity mappings (plan key = Chargebee plan id) for the given unmapped plans, or for all of them',
    authScopes: { admin: true },
    errors: { types: [NotFoundError, ValidationError] },
    args: { chargebeePlanIds: t.arg.stringList(), all: t.arg.boolean({ defaultValue: false }) },
    resolve: (_root, args, ctx) => {
      const input = validate(z.object({
        chargebeePlanIds: z.array(z.string().trim().min(1).max(200)).max(500).nullish(),
        all: z.boolean(),
      }).refine((v) => v.all !== (v.chargebeePlanIds != null && v.chargebeePlanIds.length > 0), {
        message: 'pass either chargebeePlanIds or all: true', path: ['chargebeePlanIds'],
      }), { chargebeePlanIds: args.chargebeePlanIds, all: args.all ?? false }, []);
      return ctx.db.transaction(async (trx) => {
        let created;
        try {
          created = await importPlanMappings(trx, input.all ? 'all' : input.chargebeePlanIds ?? []);
        } catch (error) {
          if (error instanceof UnknownPlanError) throw new NotFoundError('ChargebeePlan', error.planIds.join(', '));
          throw error;
        }
        await writeAudit(trx, ctx, {
          action: 'plan_mapping.import', target: `plan_mapping:${created.length} plans`, before: null, after: created.map((m) => m.chargebeePlanId),
        });
        return { planMappings: created };
      });
    },
  }),
}));

/** One read of the reconciler's status per request, however many of its fields are selected. */
function statusOnce(ctx: GraphQLContext): ReturnType<typeof reconcileStatus> {
  const key = 'reconcileStatus';
  let pending = ctx.loaders.get(key) as ReturnType<typeof reconcileStatus> | undefined;
  if (pending === undefined) {
    pending = reconcileStatus(ctx.db);
    ctx.loaders.set(key, pending);
  }
  return pending;
}

builder.objectFields(SyncStatus, (t) => ({
  reconcilerEnabled: t.boolean({ resolve: (_s, _args, ctx) => ctx.deps.reconciler != null }),
  lastReconcileRun: t.field({ type: ReconcileRun, nullable: true, resolve: async (_s, _a, ctx) => (await statusOnce(ctx)).lastRun }),
  lastSucceededReconcileRun: t.field({
    type: ReconcileRun, nullable: true, resolve: async (_s, _a, ctx) => (await statusOnce(ctx)).lastSucceededRun,
  }),
  watermark: t.field({
    type: 'DateTime', nullable: true, description: 'Chargebee changes up to here are known to be applied',
    resolve: async (_s, _a, ctx) => (await statusOnce(ctx)).watermark,
  }),
  watermarkAgeSeconds: t.int({ nullable: true, resolve: async (_s, _a, ctx) => (await statusOnce(ctx)).watermarkAgeSeconds }),
  failedEventCount: t.int({ description: 'Inbox events with status failed (replay them after a fix)', resolve: async (_s, _a, ctx) => (await statusOnce(ctx)).failedEvents }),
}));
