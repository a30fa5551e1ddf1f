import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const reconcileModes = ['incremental', 'full', 'plans'] as const;
export type ReconcileMode = (typeof reconcileModes)[number];
export const reconcileStatuses = ['running', 'succeeded', 'partial', 'failed'] as const;
export type ReconcileStatus = (typeof reconcileStatuses)[number];

/** One reconciler run and what it did. */
export const ReconcileRun = defineEntity({
  name: 'ReconcileRun',
  tableName: 'reconcile_run',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    mode: p.string().$type<ReconcileMode>(),
    dryRun: p.boolean().default(false),
    status: p.string().$type<ReconcileStatus>().index(),
    /** Who started it: schedule, cli, graphql:<token name>. */
    trigger: p.string(),
    startedAt: p.datetime().index(),
    finishedAt: p.datetime().nullable(),
    /** Records read from the API, by resource. */
    scanned: p.json<Record<string, number>>().nullable(),
    /** Repairs, by kind. */
    repairs: p.json<Record<string, number>>().nullable(),
    apiCalls: p.integer().default(0),
    rateLimited: p.integer().default(0),
    /** Resume point of an interrupted run (resource and offset), cleared when it completes. */
    checkpoint: p.json<Record<string, unknown>>().nullable(),
    /** Events applied up to here (incremental watermark, unix seconds). */
    watermark: p.bigint('number').nullable(),
    error: p.text().nullable(),
    /** Touched after every page; a `running` run whose heartbeat is older than the lease was killed and is resumed. */
    heartbeatAt: p.datetime().nullable(),
  }),
});

export type ReconcileRunRow = InferEntity<typeof ReconcileRun>;
