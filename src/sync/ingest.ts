import { eventEnvelopeSchema, type EventEnvelope } from './chargebee-schema.js';
import {
  entriesOf, mergeResourceSets, resourceCount, resourcesOfEvent, UnprocessableResourceError, type ResourceSet,
} from './resources.js';
import { applyResources, type ApplyCounts } from './apply.js';
import type { ApplyContext } from './apply-context.js';
import type { SyncDeps } from './sync-deps.js';
import type { EventOrigin, EventStatus, SyncOrigin } from '../db/entities/index.js';
import { errorMessage, isLastingDataError, isTransactionConflict } from '../db/errors.js';
import { cleanJson } from './clean-json.js';
import { inList, inTransaction, insertRows, sqlOf, withSavepoint, type InsertColumn, type Sql } from './sql.js';
import { lockSelect, sortedLockNames } from './locks.js';
import { customerLocksOf } from './apply-customer.js';

const inboxColumns: InsertColumn[] = [
  { name: '"event_id"', pgType: 'text' }, { name: '"event_type"', pgType: 'text' }, { name: '"occurred_at"', pgType: 'timestamptz' },
  { name: '"received_at"', pgType: 'timestamptz' }, { name: '"origin"', pgType: 'text' }, { name: '"status"', pgType: 'text' },
  { name: '"last_error"', pgType: 'text' },
];
const payloadColumn: InsertColumn = { name: '"payload"', pgType: 'json' };
const inboxConflict = ' on conflict ("event_id") do nothing returning "event_id"';

/** Sets the outcome of events already in the inbox: one statement on PostgreSQL, whatever their number. */
async function updateStatuses(sql: Sql, changed: readonly PreparedEvent[]): Promise<void> {
  if (changed.length === 0) return;
  if (sql.dialect === 'postgresql') {
    // Sent, not awaited: on a pipelined connection COMMIT follows in the same round trip.
    await sql.send(
      'update "webhook_event" w set "status" = u.status, "last_error" = u.last_error'
        + ' from unnest(?::text[], ?::text[], ?::text[]) as u(event_id, status, last_error) where w."event_id" = u.event_id',
      [changed.map((p) => p.id), changed.map((p) => p.status), changed.map((p) => p.error)] as never,
    );
    return;
  }
  // SQLite runs in process: a prepared statement per row costs no round trip.
  for (const p of changed) {
    await sql.query('update "webhook_event" set "status" = ?, "last_error" = ? where "event_id" = ?', [p.status, p.error, p.id]);
  }
}

interface InboxOutcome {
  /** The event ids this transaction inserted. */
  fresh: Set<string>;
  /** Outcomes of events already in the inbox, as far as the insert could tell (PostgreSQL). */
  known: Map<string, EventOutcome>;
}

type InboxRow = { event_id: string; inserted: boolean | number; status: EventStatus | null; last_error: string | null };

const inboxAliases = inboxColumns.map((_, i) => `c${i}`);
/**
 * PostgreSQL: the insert, the stored outcome of the events already there, and the advisory locks the
 * apply will need (locks.ts), in one statement: each statement costs a round trip. The payloads go
 * as one text, separated by U+001F and joined back by position: JSON text needs no escaping to
 * travel that way (a text[] element would be escaped here and unescaped by the server), and the
 * server parses each payload once, as it stores it as json. (Sent as one JSON array, it was parsed
 * twice, to check the array and to split it: 28–33 against 24–25 µs of server CPU per payload,
 * storing 10,000 bench payloads in batches of 25.) The select reads the
 * statement's snapshot, which holds the rows committed before it and not the ones it inserts. The
 * branches of `union all` run in order, so the locks come after the inbox rows, as they did when
 * they were a statement of their own (concurrent batches take them in the same order); the lock
 * branch returns no row (its count is never negative, which the planner can not know).
 */
const pgInboxInsert = 'with ins as (insert into "webhook_event"'
  + ` (${[...inboxColumns, payloadColumn].map((c) => c.name).join(', ')})`
  + ` select ${inboxAliases.map((a) => `t.${a}`).join(', ')}, p.payload::json from unnest(${inboxColumns.map((c) => `?::${c.pgType}[]`).join(', ')})`
  + ` with ordinality as t(${inboxAliases.join(', ')}, n) join unnest(string_to_array(?::text, E'\\x1f')) with ordinality as p(payload, n) using (n)`
  + `${inboxConflict})`
  + ' select "event_id", true as "inserted", null::text as "status", null::text as "last_error" from ins'
  + ' union all select "event_id", false, "status", "last_error" from "webhook_event" where "event_id" = any(?::text[])'
  + ` union all select null, null, null, null from (select ${lockSelect}) l(n) where l.n < 0`;

/** Joins the payloads of pgInboxInsert. */
const payloadSeparator = '\u001f';

/**
 * Valid JSON text holds U+001F only escaped (a raw control character is invalid JSON), and every
 * payload text is valid JSON (prepareEvent). Checked anyway: one raw separator would shift every
 * payload after it onto the wrong event.
 */
function separable(text: string): string {
  if (text.includes(payloadSeparator)) throw new Error('an inbox payload is not JSON text: it holds a raw U+001F');
  return text;
}

/**
 * Records events in the inbox (an event id already there changes nothing). On PostgreSQL it also
 * takes the advisory locks `locks` (sorted names).
 */
async function insertInbox(sql: Sql, prepared: readonly PreparedEvent[], receivedAt: Date, origin: EventOrigin, locks: readonly string[]): Promise<InboxOutcome> {
  const rows = prepared.map((p) => [p.id, p.eventType, new Date(p.occurredAt * 1000), receivedAt, origin, p.status, p.error]);
  const outcome: InboxOutcome = { fresh: new Set(), known: new Map() };
  if (sql.dialect === 'postgresql') {
    const payloads = prepared.map((p) => separable(p.payloadText)).join(payloadSeparator);
    const ids = prepared.map((p) => p.id);
    const params = [...inboxColumns.map((_, i) => rows.map((row) => row[i] ?? null)), payloads, ids, locks];
    for (const r of await sql.query<InboxRow>(pgInboxInsert, params as never)) {
      if (r.inserted === true) outcome.fresh.add(r.event_id);
      else outcome.known.set(r.event_id, { status: r.status as EventStatus, error: r.last_error });
    }
    return outcome;
  }
  const inserted = await insertRows<{ event_id: string }>(
    sql, '"webhook_event"', [...inboxColumns, payloadColumn],
    rows.map((row, i) => [...row, (prepared[i] as PreparedEvent).payloadText]), inboxConflict,
  );
  for (const r of inserted) outcome.fresh.add(r.event_id);
  return outcome;
}

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
}

export interface IngestResult extends EventOutcome {
  eventId: string;
  duplicate: boolean;
  /** Set when the event could not be stored at all (the database refuses it): the reason, for a 4xx. */
  rejected?: string;
}

export interface IngestItem {
  event: EventEnvelope;
  /** The body as received, stored in the inbox for replays. */
  payload: unknown;
  /** The JSON text `payload` was parsed from, when there was one (webhooks): stored as is if it needs no cleaning. */
  payloadText?: string;
}

const syncOriginOf = (origin: EventOrigin): SyncOrigin =>
  origin === 'webhook' ? 'webhook' : origin === 'replay' ? 'replay' : 'reconcile';

function contextFor(deps: SyncDeps, sql: Sql, by: SyncOrigin, at: Date): ApplyContext {
  return { sql, dialect: deps.dialect, stamp: { at, by }, eventId: null, fallbackToCustomerId: deps.fallbackToCustomerId };
}

/**
 * An event made ready to write, before any transaction: what the inbox stores and the resources it
 * carries (or why it is ignored or failed). Plain data, so another thread can write it (the SQLite
 * writer thread gets these: the parsing and validation stay with the thread that received the event).
 */
export interface PreparedEvent extends EventOutcome {
  id: string;
  eventType: string;
  occurredAt: number;
  /** The JSON text the inbox stores. */
  payloadText: string;
  set: ResourceSet | null;
}

/**
 * Matches JSON text whose strings may hold U+0000 or a lone surrogate: escaped (`\u0000`, `\udXXX`)
 * or literal (a surrogate character; a pair is a false alarm, which only costs the full check).
 * Text it does not match can hold neither (JSON text can not carry a raw U+0000).
 */
const mayHoldUnstorable = /\\u(?:0000|[dD][89a-fA-F])|[\ud800-\udfff]/;

/** What an event carries, decided before any write: its resources, or why it is ignored or failed. */
export function prepareEvent(original: IngestItem): PreparedEvent {
  // Strings PostgreSQL cannot store (U+0000, lone surrogates) would fail every retry: replaced once, here.
  // Text that can not hold one spares walking every string of the event.
  const text = original.payloadText;
  const event = text !== undefined && !mayHoldUnstorable.test(text) ? original.event : cleanJson(original.event) as EventEnvelope;
  // Text that needed no cleaning parses to the same JSON: storing it spares serialising the event again.
  const payloadText = event === original.event && text !== undefined ? text : JSON.stringify(event);
  const base = { id: event.id, eventType: event.event_type, occurredAt: event.occurred_at, payloadText };
  try {
    const set = resourcesOfEvent(event, { clean: true });
    if (resourceCount(set) === 0) return { ...base, set: null, status: 'ignored', error: null };
    return { ...base, set, status: 'applied', error: null };
  } catch (error) {
    if (error instanceof UnprocessableResourceError) return { ...base, set: null, status: 'failed', error: error.message };
    throw error;
  }
}

/**
 * Applies the resources of several events in one pass and tells, per event, whether any of its
 * resources took effect. With `isolate`, a database error that will recur marks the events failed
 * (inside a savepoint, leaving no partial rows) instead of aborting the transaction.
 */
async function applyPrepared(ctx: ApplyContext, prepared: PreparedEvent[], isolate: boolean): Promise<ApplyCounts> {
  const applying = prepared.filter((p) => p.set !== null);
  if (applying.length === 0) return { changed: 0, unchanged: 0 };
  const merged = mergeResourceSets(applying.map((p) => p.set as ResourceSet));
  let outcome;
  try {
    outcome = isolate
      ? await withSavepoint(ctx.sql, () => applyResources(ctx, merged))
      : await applyResources(ctx, merged);
  } catch (error) {
    if (!isolate || !isLastingDataError(error)) throw error;
    for (const p of applying) Object.assign(p, { status: 'failed', error: `database rejected the event: ${errorMessage(error)}` });
    return { changed: 0, unchanged: 0 };
  }
  for (const p of applying) {
    const took = entriesOf(p.set as ResourceSet).some((entry) => outcome.took.has(entry));
    if (!took) p.status = 'stale';
  }
  return { changed: outcome.changed, unchanged: outcome.unchanged };
}

/** One transaction: record new events in the inbox (duplicates change nothing), apply, set statuses. */
async function ingestInTransaction(deps: SyncDeps, events: readonly PreparedEvent[], origin: EventOrigin, isolate: boolean): Promise<IngestResult[]> {
  const receivedAt = new Date();
  // Copies: applying sets their outcome, and a transaction run again must start from the prepared one.
  const firstById = new Map<string, PreparedEvent>();
  for (const event of events) if (!firstById.has(event.id)) firstById.set(event.id, { ...event });
  // Sorted ids: concurrent batches insert (and so lock) inbox rows in the same order.
  const prepared = [...firstById.values()].sort((a, b) => (a.id < b.id ? -1 : 1));

  // PostgreSQL: the customers' locks go with the inbox insert, for every event of the batch (a
  // duplicate's are taken for nothing, which is harmless).
  const locks = deps.dialect === 'postgresql'
    ? sortedLockNames(customerLocksOf(prepared.flatMap((p) => p.set?.customers ?? []), deps.fallbackToCustomerId))
    : [];

  return inTransaction(deps.knex, deps.dialect, async (sql) => {
    const { fresh, known } = await insertInbox(sql, prepared, receivedAt, origin, locks);
    const freshPrepared = prepared.filter((p) => fresh.has(p.id));
    const ctx = contextFor(deps, sql, syncOriginOf(origin), receivedAt);
    ctx.locked = new Set(locks);
    await applyPrepared(ctx, freshPrepared, isolate);

    // Inserted as `applied`; only those that turned out otherwise need a second write.
    await updateStatuses(sql, freshPrepared.filter((x) => x.set !== null && x.status !== 'applied'));
    // Duplicates whose outcome the insert did not read: all of them on SQLite (a statement there costs
    // no round trip), and on PostgreSQL those committed by another transaction while the insert waited on them.
    const duplicateIds = prepared.filter((p) => !fresh.has(p.id) && !known.has(p.id)).map((p) => p.id);
    if (duplicateIds.length > 0) {
      const where = inList(sql, '"event_id"', duplicateIds);
      const rows = await sql.query<{ event_id: string; status: EventStatus; last_error: string | null }>(
        `select "event_id", "status", "last_error" from "webhook_event" where ${where.text}`, where.params,
      );
      for (const r of rows) known.set(r.event_id, { status: r.status, error: r.last_error });
    }
    const seen = new Set<string>();
    return events.map(({ id }): IngestResult => {
      const first = fresh.has(id) && !seen.has(id);
      seen.add(id);
      const outcome = first ? (firstById.get(id) as PreparedEvent) : known.get(id) ?? firstById.get(id) as PreparedEvent;
      return { eventId: id, duplicate: !first, status: outcome.status, error: outcome.error };
    });
  });
}

/**
 * Records events in the inbox and applies them, all in one transaction (group commit): callers may
 * acknowledge once this resolves. If the shared transaction hits a database error that would recur,
 * each event is retried in a transaction of its own, so one bad event cannot hold back the others.
 */
export async function ingestEvents(deps: SyncDeps, items: IngestItem[], origin: EventOrigin): Promise<IngestResult[]> {
  return ingestPrepared(deps, items.map(prepareEvent), origin);
}

/** ingestEvents, for events prepared already (prepareEvent). */
export async function ingestPrepared(deps: SyncDeps, events: readonly PreparedEvent[], origin: EventOrigin): Promise<IngestResult[]> {
  if (events.length === 0) return [];
  try {
    return await onceMoreOnConflict(() => ingestInTransaction(deps, events, origin, false));
  } catch (error) {
    if (!isLastingDataError(error)) throw error;
    const results: IngestResult[] = [];
    for (const event of events) {
      try {
        results.push(...(await onceMoreOnConflict(() => ingestInTransaction(deps, [event], origin, true))));
      } catch (single) {
        // Even the inbox row was refused: nothing is stored, and the caller must not acknowledge it.
        if (!isLastingDataError(single)) throw single;
        const reason = `the database refused the event (${(single as { code?: string }).code ?? 'error'})`;
        results.push({ eventId: event.id, duplicate: false, status: 'failed', error: reason, rejected: reason });
      }
    }
    return results;
  }
}

/**
 * Runs a transaction once more if PostgreSQL aborted it as a deadlock's victim (rare: a stored
 * customer key no payload carries is locked after the others, see apply-customer.ts), so the
 * batch's senders are not all answered 503 for it.
 */
async function onceMoreOnConflict<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isTransactionConflict(error)) throw error;
    return run();
  }
}

export async function ingestEvent(deps: SyncDeps, event: EventEnvelope, payload: unknown, origin: EventOrigin): Promise<IngestResult> {
  const [result] = await ingestEvents(deps, [{ event, payload }], origin);
  return result as IngestResult;
}

export class EventNotFoundError extends Error {
  override name = 'EventNotFoundError';
}

export interface ReplayResult extends EventOutcome {
  eventId: string;
  previousStatus: EventStatus;
  /** Rows the replay changed, and rows already as new. */
  counts: ApplyCounts;
}

/** Runs a stored event through the apply path again (after a fix, or to repair rows). */
export async function replayEvent(deps: SyncDeps, eventId: string): Promise<ReplayResult> {
  return deps.knex.transaction(async (trx) => {
    const stored = await trx('webhook_event').select('status', 'payload').where('event_id', eventId).first();
    if (!stored) throw new EventNotFoundError(`no webhook event ${eventId}`);
    const payload: unknown = typeof stored.payload === 'string' ? JSON.parse(stored.payload) : stored.payload;
    let outcome: EventOutcome;
    let counts: ApplyCounts = { changed: 0, unchanged: 0 };
    try {
      const prepared = prepareEvent({ event: parseEnvelope(payload), payload });
      counts = await applyPrepared(contextFor(deps, await sqlOf(trx, deps.dialect), 'replay', new Date()), [prepared], true);
      outcome = { status: prepared.status, error: prepared.error };
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      outcome = { status: 'failed', error: error.message };
    }
    await trx('webhook_event')
      .update({ status: outcome.status, last_error: outcome.error, attempts: trx.raw('attempts + 1') })
      .where('event_id', eventId);
    return { eventId, previousStatus: stored.status as EventStatus, ...outcome, counts };
  });
}
