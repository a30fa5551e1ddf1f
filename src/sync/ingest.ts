import { eventEnvelopeSchema, type EventEnvelope } from './chargebee-schema.js';
import { resourceCount, resourcesOfEvent, UnprocessableResourceError } from './resources.js';
import { applyResources, type ApplyCounts } from './apply.js';
import type { ApplyContext } from './apply-context.js';
import type { Trx } from './db-helpers.js';
import type { SyncDeps } from './sync-deps.js';
import type { EventOrigin, EventStatus, SyncOrigin } from '../db/entities/index.js';
import { errorMessage, isLastingDataError } from '../db/errors.js';

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/** Validates a webhook body as a Chargebee event envelope; the message names the first bad field. */
export function parseEnvelope(body: unknown): EventEnvelope {
  const result = eventEnvelopeSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : 'body';
  throw new InvalidEventError(`not a Chargebee event: ${path}: ${issue?.message ?? 'invalid'}`);
}

export interface EventOutcome {
  status: EventStatus;
  error: string | null;
  counts: ApplyCounts;
}

export interface IngestResult extends EventOutcome {
  eventId: string;
  duplicate: boolean;
}

const noCounts = (): ApplyCounts => ({ changed: 0, unchanged: 0 });

/**
 * Runs an event's resources through the apply path inside a savepoint, so that a lasting failure
 * leaves no partial rows while the inbox still records the event as failed. Transient errors propagate.
 */
export async function applyEventContent(ctx: ApplyContext, event: EventEnvelope): Promise<EventOutcome> {
  let set;
  try {
    set = resourcesOfEvent(event);
  } catch (error) {
    if (error instanceof UnprocessableResourceError) return { status: 'failed', error: error.message, counts: noCounts() };
    throw error;
  }
  if (resourceCount(set) === 0) return { status: 'ignored', error: null, counts: noCounts() };
  try {
    const counts = await ctx.trx.transaction((savepoint) => applyResources({ ...ctx, trx: savepoint }, set));
    return { status: counts.changed > 0 ? 'applied' : 'stale', error: null, counts };
  } catch (error) {
    if (isLastingDataError(error)) return { status: 'failed', error: `database rejected the event: ${errorMessage(error)}`, counts: noCounts() };
    throw error;
  }
}

const syncOriginOf = (origin: EventOrigin): SyncOrigin =>
  origin === 'webhook' ? 'webhook' : origin === 'replay' ? 'replay' : 'reconcile';

function contextFor(deps: SyncDeps, trx: Trx, eventId: string, by: SyncOrigin, at: Date): ApplyContext {
  return { trx, dialect: deps.dialect, stamp: { at, by }, eventId, fallbackToCustomerId: deps.fallbackToCustomerId };
}

/**
 * Records an event in the inbox and applies it, in one transaction: the caller may acknowledge the
 * event once this resolves. A known event id changes nothing and reports `duplicate`.
 */
export async function ingestEvent(
  deps: SyncDeps, event: EventEnvelope, payload: unknown, origin: EventOrigin,
): Promise<IngestResult> {
  const receivedAt = new Date();
  return deps.knex.transaction(async (trx) => {
    const inserted = await trx('webhook_event')
      .insert({
        event_id: event.id,
        event_type: event.event_type,
        occurred_at: new Date(event.occurred_at * 1000),
        received_at: receivedAt,
        origin,
        status: 'applied',
        attempts: 1,
        payload: JSON.stringify(payload),
      })
      .onConflict('event_id')
      .ignore()
      .returning('id');
    if (inserted.length === 0) {
      const existing = await trx('webhook_event').select('status', 'last_error').where('event_id', event.id).first();
      return { eventId: event.id, duplicate: true, status: existing?.status as EventStatus, error: existing?.last_error ?? null, counts: noCounts() };
    }
    const outcome = await applyEventContent(contextFor(deps, trx, event.id, syncOriginOf(origin), receivedAt), event);
    await trx('webhook_event').update({ status: outcome.status, last_error: outcome.error }).where('event_id', event.id);
    return { eventId: event.id, duplicate: false, ...outcome };
  });
}

export class EventNotFoundError extends Error {
  override name = 'EventNotFoundError';
}

export interface ReplayResult extends EventOutcome {
  eventId: string;
  previousStatus: EventStatus;
}

/** Runs a stored event through the apply path again (after a fix, or to repair rows). */
export async function replayEvent(deps: SyncDeps, eventId: string): Promise<ReplayResult> {
  return deps.knex.transaction(async (trx) => {
    const stored = await trx('webhook_event').select('status', 'payload').where('event_id', eventId).first();
    if (!stored) throw new EventNotFoundError(`no webhook event ${eventId}`);
    const payload: unknown = typeof stored.payload === 'string' ? JSON.parse(stored.payload) : stored.payload;
    let outcome: EventOutcome;
    try {
      outcome = await applyEventContent(contextFor(deps, trx, eventId, 'replay', new Date()), parseEnvelope(payload));
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      outcome = { status: 'failed', error: error.message, counts: noCounts() };
    }
    await trx('webhook_event')
      .update({ status: outcome.status, last_error: outcome.error, attempts: trx.raw('attempts + 1') })
      .where('event_id', eventId);
    return { eventId, previousStatus: stored.status as EventStatus, ...outcome };
  });
}
