import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** One admin action: who (token name), what, and the state before and after. */
export const AuditEntry = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_entry',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    actor: p.string().index(),
    action: p.string().index(),
    /** What was acted on, e.g. plan_mapping:basic-USD. */
    target: p.string().nullable(),
    before: p.json<unknown>().nullable(),
    after: p.json<unknown>().nullable(),
    requestId: p.string().nullable(),
    createdAt: p.datetime().index(),
  }),
});

export type AuditEntryRow = InferEntity<typeof AuditEntry>;
