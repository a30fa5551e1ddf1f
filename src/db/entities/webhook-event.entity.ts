import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const eventOrigins = ['webhook', 'events_api', 'replay'] as const;
export type EventOrigin = (typeof eventOrigins)[number];
export const eventStatuses = ['applied', 'ignored', 'stale', 'failed'] as const;
export type EventStatus = (typeof eventStatuses)[number];

/** The inbox: every Chargebee event we accepted, once, with what became of it. */
export const WebhookEvent = defineEntity({
  name: 'WebhookEvent',
  tableName: 'webhook_event',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    eventId: p.string().unique(),
    eventType: p.string().index(),
    occurredAt: p.datetime(),
    receivedAt: p.datetime().index(),
    origin: p.string().$type<EventOrigin>(),
    status: p.string().$type<EventStatus>().index(),
    attempts: p.integer().default(1),
    lastError: p.text().nullable(),
    /** `json`, not `jsonb`: kept as received, and cheaper to store (migration m004 on PostgreSQL). */
    payload: p.json<Record<string, unknown>>().columnType('json'),
  }),
});

export type WebhookEventRow = InferEntity<typeof WebhookEvent>;
