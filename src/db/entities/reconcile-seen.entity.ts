import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * Scratch list of the ids a full reconcile run has seen, written a page at a time. Tombstoning then
 * compares tables with it in SQL, so memory stays flat however many records the site has; a killed
 * run keeps its rows and resumes with them. Rows are deleted when the run ends.
 */
export const ReconcileSeen = defineEntity({
  name: 'ReconcileSeen',
  tableName: 'reconcile_seen',
  properties: (p) => ({
    runId: p.integer().primary(),
    /** customer, subscription, transaction */
    entity: p.string().primary().length(20),
    entityId: p.string().primary().length(100),
  }),
});

export type ReconcileSeenRow = InferEntity<typeof ReconcileSeen>;
