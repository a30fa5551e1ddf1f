import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const repairKinds = ['missing', 'stale', 'deleted_upstream', 'plan_mismatch', 'unmapped_plan'] as const;
export type RepairKind = (typeof repairKinds)[number];

/** One row the reconciler repaired (or, in a dry run, would have). */
export const ReconcileRepair = defineEntity({
  name: 'ReconcileRepair',
  tableName: 'reconcile_repair',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    runId: p.integer().index(),
    /** customer, subscription, transaction, plan */
    entity: p.string(),
    entityId: p.string(),
    kind: p.string().$type<RepairKind>(),
    versionBefore: p.bigint('number').nullable(),
    versionAfter: p.bigint('number').nullable(),
    detail: p.text().nullable(),
    createdAt: p.datetime(),
  }),
});

export type ReconcileRepairRow = InferEntity<typeof ReconcileRepair>;
