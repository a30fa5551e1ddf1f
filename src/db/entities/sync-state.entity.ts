import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** Small named values the jobs keep between runs (watermarks). */
export const SyncState = defineEntity({
  name: 'SyncState',
  tableName: 'sync_state',
  properties: (p) => ({
    key: p.string().primary().length(100),
    value: p.json<unknown>(),
    updatedAt: p.datetime(),
  }),
});

export type SyncStateRow = InferEntity<typeof SyncState>;
