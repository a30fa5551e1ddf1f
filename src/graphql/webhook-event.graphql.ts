import { z } from 'zod';
import { builder } from './builder.js';
import type { GraphQLContext } from './context/context.js';
import { connectionComplexity, parseFilter } from './customer.graphql.js';
import { NotFoundError, ValidationError, validate } from './errors.js';
import { defineLoader, load } from './loader.js';
import { countRows, keysetPage } from './pagination.js';
import { col } from './sql.js';
import { writeAudit } from './audit.js';
import { replayEvent, type ReplayResult } from '../sync/ingest.js';
import { eventStatuses } from '../db/entities/webhook-event.entity.js';
import type { Trx } from '../sync/db-helpers.js';

interface WebhookEventRecord {
  id: number;
  eventId: string;
  eventType: string;
  occurredAt: Date;
  receivedAt: Date;
  origin: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

/** Columns without the payload: it is only read when an admin selects it. */
const listColumns = ['id', 'event_id', 'event_type', 'occurred_at', 'received_at', 'origin', 'status', 'attempts', 'last_error'];

function mapEvent(r: Record<string, unknown>): WebhookEventRecord {
  return {
    id: col.num(r.id), eventId: col.str(r.event_id), eventType: col.str(r.event_type), occurredAt: col.date(r.occurred_at),
    receivedAt: col.date(r.received_at), origin: col.str(r.origin), status: col.str(r.status), attempts: col.num(r.attempts),
    lastError: col.strOrNull(r.last_error),
  };
}

const eventById = defineLoader<number, WebhookEventRecord | null>({
  name: 'webhookEventById',
  missing: () => null,
  batch: async (ids, ctx) => {
    const rows = await ctx.db('webhook_event').select(listColumns).whereIn('id', [...ids]) as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.num(r.id), mapEvent(r)]));
  },
});

const payloadById = defineLoader<number, unknown>({
  name: 'webhookPayloadById',
  missing: () => null,
  batch: async (ids, ctx) => {
    const rows = await ctx.db('webhook_event').select('id', 'payload').whereIn('id', [...ids]) as Record<string, unknown>[];
    return new Map(rows.map((r) => [col.num(r.id), col.json(r.payload)]));
  },
});

const EventStatusEnum = builder.enumType('WebhookEventStatus', { values: eventStatuses });

export const WebhookEvent = builder.objectRef<WebhookEventRecord>('WebhookEvent');

builder.node(WebhookEvent, {
  description: 'A Chargebee event in the inbox and what became of it',
  id: { resolve: (e) => e.id },
  loadMany: (ids, ctx) => Promise.all(ids.map((id) => load(ctx, eventById, Number(id)))),
  fields: (t) => ({
    eventId: t.exposeString('eventId', { description: 'Chargebee event id (ev_…)' }),
    eventType: t.exposeString('eventType'),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime' }),
    origin: t.exposeString('origin', { description: 'webhook, events_api or replay' }),
    status: t.field({ type: EventStatusEnum, resolve: (e) => e.status as (typeof eventStatuses)[number] }),
    attempts: t.exposeInt('attempts'),
    lastError: t.exposeString('lastError', { nullable: true }),
    payload: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The raw event as Chargebee sent it (personal data: admins only)',
      authScopes: { admin: true },
      resolve: (e, _args, ctx) => load(ctx, payloadById, e.id),
    }),
  }),
});

const filterSchema = z.object({
  status: z.array(z.enum(eventStatuses)).max(4).nullish(),
  eventType: z.string().trim().min(1).max(100).nullish(),
  since: z.date().nullish(),
}).strict();
type EventFilter = z.infer<typeof filterSchema>;

const EventFilterInput = builder.inputType('WebhookEventFilter', {
  fields: (t) => ({
    status: t.field({ type: [EventStatusEnum] }),
    eventType: t.string(),
    since: t.field({ type: 'DateTime', description: 'Received at or after' }),
  }),
});

function filteredEvents(ctx: GraphQLContext, filter: EventFilter) {
  const query = ctx.db('webhook_event');
  if (filter.status) void query.whereIn('status', filter.status);
  if (filter.eventType) void query.where('event_type', filter.eventType);
  if (filter.since) void query.where('received_at', '>=', filter.since);
  return query;
}

builder.queryField('webhookEvents', (t) => t.connection({
  type: WebhookEvent,
  description: 'Inbox events, most recently received first',
  args: { filter: t.arg({ type: EventFilterInput }) },
  complexity: connectionComplexity,
  resolve: (_root, args, ctx) => {
    const filter = parseFilter(filterSchema, args.filter);
    return keysetPage(args, {
      base: () => filteredEvents(ctx, filter).select(listColumns),
      map: mapEvent,
      key: 'id',
      keyOf: (e) => e.id,
      keyKind: 'integer',
      order: 'desc',
      count: () => countRows(filteredEvents(ctx, filter)),
    });
  },
}));

interface ReplayOutcome {
  event: WebhookEventRecord;
  result: ReplayResult;
}

const ReplayOutcomeRef = builder.objectRef<ReplayOutcome>('WebhookEventReplay').implement({
  fields: (t) => ({
    event: t.field({ type: WebhookEvent, resolve: (o) => o.event, description: 'The event after the replay' }),
    previousStatus: t.field({ type: EventStatusEnum, resolve: (o) => o.result.previousStatus }),
    status: t.field({ type: EventStatusEnum, resolve: (o) => o.result.status }),
    changedRows: t.int({ resolve: (o) => o.result.counts.changed, description: 'Rows the replay inserted or updated' }),
    unchangedRows: t.int({ resolve: (o) => o.result.counts.unchanged, description: 'Resources already as new or newer' }),
    error: t.string({ nullable: true, resolve: (o) => o.result.error, description: 'Why the event still failed' }),
  }),
});

const ReplayFailedPayload = builder.objectRef<ReplayOutcome[]>('ReplayFailedWebhookEventsPayload').implement({
  fields: (t) => ({
    attempted: t.int({ resolve: (list) => list.length }),
    applied: t.int({ resolve: (list) => list.filter((o) => o.result.status === 'applied').length }),
    stillFailed: t.int({ resolve: (list) => list.filter((o) => o.result.status === 'failed').length }),
    replays: t.field({ type: [ReplayOutcomeRef], resolve: (list) => list }),
  }),
});

/** Replays one event with the caller's transaction standing in for the pool, so the audit entry shares it. */
async function replayIn(trx: Trx, ctx: GraphQLContext, row: WebhookEventRecord): Promise<ReplayOutcome> {
  const result = await replayEvent({ ...ctx.deps.sync, knex: trx }, row.eventId);
  const after = await trx('webhook_event').select(listColumns).where('id', row.id).first() as Record<string, unknown>;
  return { event: mapEvent(after), result };
}

const summary = (o: ReplayOutcome) => ({ eventId: o.event.eventId, status: o.result.status, counts: o.result.counts, error: o.result.error });

builder.mutationFields((t) => ({
  replayWebhookEvent: t.field({
    type: ReplayOutcomeRef,
    description: 'Runs a stored event through the apply path again (rows only move forward: resource_version still guards)',
    authScopes: { admin: true },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: [WebhookEvent] }) },
    resolve: (_root, args, ctx) => ctx.db.transaction(async (trx) => {
      const row = await trx('webhook_event').select(listColumns).where('id', Number(args.id.id)).first() as Record<string, unknown> | undefined;
      if (!row) throw new NotFoundError('WebhookEvent', args.id.id);
      const outcome = await replayIn(trx, ctx, mapEvent(row));
      await writeAudit(trx, ctx, {
        action: 'webhook_event.replay', target: `webhook_event:${outcome.event.eventId}`,
        before: { status: outcome.result.previousStatus }, after: summary(outcome),
      });
      return outcome;
    }),
  }),
  replayFailedWebhookEvents: t.field({
    type: ReplayFailedPayload,
    description: 'Replays the oldest failed events (up to `limit`, at most 500) in one transaction',
    authScopes: { admin: true },
    errors: { types: [ValidationError] },
    args: { limit: t.arg.int({ defaultValue: 100 }) },
    resolve: (_root, args, ctx) => {
      const { limit } = validate(z.object({ limit: z.number().int().min(1).max(500) }), { limit: args.limit ?? 100 }, []);
      return ctx.db.transaction(async (trx) => {
        const rows = await trx('webhook_event').select(listColumns).where('status', 'failed').orderBy('id').limit(limit) as Record<string, unknown>[];
        const outcomes: ReplayOutcome[] = [];
        // Sequential on purpose: one connection (the transaction), and events keep their arrival order.
        for (const row of rows) outcomes.push(await replayIn(trx, ctx, mapEvent(row)));
        await writeAudit(trx, ctx, {
          action: 'webhook_event.replay_failed', target: `webhook_event:${outcomes.length} events`,
          before: { failed: outcomes.map((o) => o.event.eventId) }, after: outcomes.map(summary),
        });
        return outcomes;
      });
    },
  }),
}));
