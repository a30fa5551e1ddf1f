import { builder } from './builder.js';
import { eventStatuses, type EventStatus } from '../db/entities/webhook-event.entity.js';
import { countUnmappedPlans } from './unmapped-plan.graphql.js';
import { col } from './sql.js';

/**
 * The sync's health at a glance. The object carries nothing itself: each field runs its own small
 * query only when selected. Other areas add their fields with `builder.objectField(SyncStatus, …)`
 * in their own file (the reconciler adds its last runs there).
 */
export interface SyncStatusRecord {
  readonly at: Date;
}

export const SyncStatus = builder.objectRef<SyncStatusRecord>('SyncStatus');

interface StatusCount {
  status: EventStatus;
  count: number;
}

const StatusCountRef = builder.objectRef<StatusCount>('WebhookEventStatusCount').implement({
  fields: (t) => ({
    status: t.exposeString('status'),
    count: t.exposeInt('count'),
  }),
});

SyncStatus.implement({
  fields: (t) => ({
    checkedAt: t.expose('at', { type: 'DateTime', description: 'When this status was read' }),
    lastWebhookReceivedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the most recent webhook delivery was accepted',
      resolve: async (_s, _args, ctx) => {
        const row = await ctx.db('webhook_event').max({ at: 'received_at' }).where('origin', 'webhook').first() as { at: unknown } | undefined;
        return col.dateOrNull(row?.at);
      },
    }),
    lastAppliedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Receipt time of the most recent event (any origin) whose status is applied',
      resolve: async (_s, _args, ctx) => {
        const row = await ctx.db('webhook_event').max({ at: 'received_at' }).where('status', 'applied').first() as { at: unknown } | undefined;
        return col.dateOrNull(row?.at);
      },
    }),
    eventsByStatus: t.field({
      type: [StatusCountRef],
      description: 'Inbox events per status; every status is listed, zero included',
      resolve: async (_s, _args, ctx) => {
        const rows = await ctx.db('webhook_event').select('status').count({ n: '*' }).groupBy('status') as Record<string, unknown>[];
        const counts = new Map(rows.map((r) => [col.str(r.status), col.num(r.n)]));
        return eventStatuses.map((status) => ({ status, count: counts.get(status) ?? 0 }));
      },
    }),
    unmappedPlanCount: t.int({
      description: 'Chargebee plans without a mapping (see unmappedPlans)',
      resolve: (_s, _args, ctx) => countUnmappedPlans(ctx.db),
    }),
  }),
});

builder.queryField('syncStatus', (t) => t.field({
  type: SyncStatus,
  resolve: () => ({ at: new Date() }),
}));
