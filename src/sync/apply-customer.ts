import type { ChargebeeCustomer } from './chargebee-schema.js';
import type { Tombstonable } from './resources.js';
import {
  attributionChanges, attributionDiffers, keysInPayload, noAttribution, resolveCustomerKey, resolvePartnerKey,
  type AttributionChangeRecord, type StoredAttribution,
} from './attribution.js';
import { customerRow, type RowValue } from './rows.js';
import { toNumber } from './db-helpers.js';
import { inList, insertRows, pgInsert, type InsertColumn, type Sql, type SqlParam } from './sql.js';
import type { ApplyContext } from './apply-context.js';
import type { KindOutcome } from './apply.js';
import { customerKeyLock, customerLock, lockNames } from './locks.js';
import type { UpsertPlan } from './apply-billing.js';
import { newestOf, statesById } from './winners.js';
import { versionOf } from './version.js';

const attributionOf = (r: Record<string, unknown>): StoredAttribution => ({
  customerKey: (r.customer_key as string | null) ?? null,
  customerKeySource: (r.customer_key_source as string | null) ?? null,
  customerKeyVersion: toNumber(r.customer_key_version),
  partnerKey: (r.partner_key as string | null) ?? null,
  partnerKeySource: (r.partner_key_source as string | null) ?? null,
  partnerKeyVersion: toNumber(r.partner_key_version),
});

/**
 * The customers' stored attribution and the signup partner of each of `keys`, in one statement
 * (their locks are held already).
 */
async function storedAttributions(sql: Sql, ids: readonly string[], keys: readonly string[]): Promise<{
  stored: Map<string, StoredAttribution>; signups: Map<string, string>;
}> {
  const customers = inList(sql, '"id"', ids);
  let text = 'select \'c\' as "kind", "id", "customer_key", "customer_key_source", "customer_key_version", "partner_key", "partner_key_source", "partner_key_version"'
    + ` from "customer" where ${customers.text}`;
  const params = [...customers.params];
  if (keys.length > 0) {
    const signups = inList(sql, '"customer_key"', keys);
    text += ` union all select 's', null, "customer_key", null, null, "partner_key", null, null from "signup" where ${signups.text}`;
    params.push(...signups.params);
  }
  const stored = new Map<string, StoredAttribution>();
  const signups = new Map<string, string>();
  for (const r of await sql.query(text, params)) {
    if (r.kind === 'c') stored.set(String(r.id), attributionOf(r));
    else signups.set(String(r.customer_key), String(r.partner_key));
  }
  return { stored, signups };
}

/**
 * The signup partner of each customer key. On PostgreSQL the keys' advisory locks come first;
 * recordSignup takes them too, so whichever of customer and signup commits second sees the other.
 */
async function signupPartners(sql: Sql, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  await lockNames(sql, keys.map(customerKeyLock));
  const where = inList(sql, '"customer_key"', keys);
  const rows = await sql.query<{ customer_key: string; partner_key: string }>(
    `select "customer_key", "partner_key" from "signup" where ${where.text}`, where.params,
  );
  return new Map(rows.map((r) => [r.customer_key, r.partner_key]));
}

const attributionChangeColumns: InsertColumn[] = [
  { name: 'customer_id', pgType: 'text' }, { name: 'field', pgType: 'text' }, { name: 'old_value', pgType: 'text' },
  { name: 'new_value', pgType: 'text' }, { name: 'source', pgType: 'text' }, { name: 'event_id', pgType: 'text' },
  { name: 'changed_at', pgType: 'timestamptz' },
];

type AttributionChange = { customerId: string; change: AttributionChangeRecord; eventId: string | null };

const attributionChangeRows = (changes: readonly AttributionChange[], at: Date): SqlParam[][] =>
  changes.map(({ customerId, change: c, eventId }) => [customerId, c.field, c.oldValue, c.newValue, c.source, eventId, at]);

export async function recordAttributionChanges(sql: Sql, changes: AttributionChange[], at: Date): Promise<void> {
  await insertRows(sql, 'attribution_change', attributionChangeColumns, attributionChangeRows(changes, at));
}

/**
 * PostgreSQL: the attribution columns of `rows`, for the customers the upsert (CTE `written`) did
 * not write: their state was stale, but an older payload filled a key. Goes in the upsert's statement.
 */
function pgAttributionOnly(rows: readonly { id: string; attribution: StoredAttribution }[], written: string): { text: string; params: SqlParam[] } {
  const columns = Object.keys(attributionColumns(noAttribution));
  const types = columns.map((c) => (c.endsWith('_version') ? 'bigint' : 'text'));
  return {
    text: `update "customer" c set ${columns.map((col) => `"${col}" = a."${col}"`).join(', ')}`
      + ` from unnest(?::text[], ${types.map((t) => `?::${t}[]`).join(', ')}) as a("id", ${columns.map((col) => `"${col}"`).join(', ')})`
      + ` where c."id" = a."id" and not exists (select 1 from ${written} w where w."id" = a."id")`,
    params: [
      rows.map((r) => r.id),
      ...columns.map((col) => rows.map((r) => (attributionColumns(r.attribution) as Record<string, SqlParam>)[col] ?? null)),
    ] as SqlParam[],
  };
}

const attributionColumns = (a: StoredAttribution) => ({
  customer_key: a.customerKey, customer_key_source: a.customerKeySource, customer_key_version: a.customerKeyVersion,
  partner_key: a.partnerKey, partner_key_source: a.partnerKeySource, partner_key_version: a.partnerKeyVersion,
});

/**
 * The customer keys the payloads carry (and the ids, when they may serve as keys). They are known
 * before any read: their locks go with the customers', and their signups are read with the stored rows.
 */
function keysOfPayloads(byId: ReadonlyMap<string, readonly Tombstonable<ChargebeeCustomer>[]>, fallbackToCustomerId: boolean): Set<string> {
  const keys = new Set<string>();
  for (const [id, states] of byId) {
    for (const s of states) {
      const found = keysInPayload(s.data).customerKey;
      if (found) keys.add(found.value);
    }
    if (fallbackToCustomerId) keys.add(id);
  }
  return keys;
}

const customerLockNames = (ids: Iterable<string>, keys: Iterable<string>): string[] => [...[...ids].map(customerLock), ...[...keys].map(customerKeyLock)];

/**
 * The advisory locks planCustomers takes for these customer states, so that a caller can take them
 * earlier, in a statement it sends anyway (the webhook path: with the inbox insert), and pass them
 * on as `ApplyContext.locked`.
 */
export function customerLocksOf(entries: readonly Tombstonable<ChargebeeCustomer>[], fallbackToCustomerId: boolean): string[] {
  const byId = statesById(entries);
  return customerLockNames(byId.keys(), keysOfPayloads(byId, fallbackToCustomerId));
}

/** The customers' upsert plan; `finish` completes the apply once the upsert has said which ids it wrote. */
export interface CustomerPlan {
  plan: UpsertPlan;
  finish: (written: Set<string>) => Promise<KindOutcome>;
}

/**
 * Plans customer states, set-based: the locks and reads happen here, the upsert goes with the other
 * kinds' (apply.ts). State columns follow the version guard inside the upsert. Attribution is
 * folded over every state of a customer, oldest first, from the stored row: keys are sticky and an
 * older payload may still fill a gap (see attribution.ts), so the outcome does not depend on
 * delivery order.
 */
export async function planCustomers(ctx: ApplyContext, entries: readonly Tombstonable<ChargebeeCustomer>[]): Promise<CustomerPlan> {
  const { sql } = ctx;
  const byId = statesById(entries);
  const ids = [...byId.keys()];
  const payloadKeys = keysOfPayloads(byId, ctx.fallbackToCustomerId);
  await lockNames(sql, customerLockNames(ids, payloadKeys), ctx.locked);
  const { stored, signups } = await storedAttributions(sql, ids, [...payloadKeys]);
  // A stored key that no payload carries is locked and read after (its lock could not come first).
  const storedOnly = new Set<string>();
  for (const a of stored.values()) if (a.customerKey !== null && !payloadKeys.has(a.customerKey)) storedOnly.add(a.customerKey);
  for (const [key, partner] of await signupPartners(sql, [...storedOnly])) signups.set(key, partner);

  const finalAttribution = new Map<string, StoredAttribution>();
  const rows: Record<string, RowValue>[] = [];
  for (const [id, states] of byId) {
    let attribution = stored.get(id) ?? noAttribution;
    for (const state of states) {
      const found = keysInPayload(state.data);
      const version = versionOf(state.data);
      const key = resolveCustomerKey(attribution, found, version, ctx.fallbackToCustomerId ? id : null);
      const signup = key.customerKey === null ? null : signups.get(key.customerKey) ?? null;
      attribution = { ...key, ...resolvePartnerKey({ ...attribution, ...key }, found, version, signup) };
    }
    finalAttribution.set(id, attribution);
    const newest = newestOf(states);
    rows.push({ ...customerRow(newest.data, newest.deleted, ctx.stamp), ...attributionColumns(attribution) });
  }

  // The history does not depend on what the upsert writes: a changed key is written either by the
  // upsert or by the attribution-only update. On PostgreSQL both go in the upsert's statement.
  const changes: AttributionChange[] = [];
  const attributionOnly: { id: string; attribution: StoredAttribution }[] = [];
  for (const [id, states] of byId) {
    const before = stored.get(id) ?? noAttribution;
    const after = finalAttribution.get(id) ?? noAttribution;
    if (!attributionDiffers(before, after)) continue;
    attributionOnly.push({ id, attribution: after });
    const eventId = newestOf(states).eventId ?? ctx.eventId;
    for (const change of attributionChanges(before, after)) changes.push({ customerId: id, change, eventId });
  }
  const inStatement = sql.dialect === 'postgresql';
  const plan: UpsertPlan = { table: 'customer', rows };
  if (inStatement && attributionOnly.length > 0) {
    plan.alongside = (written) => [
      pgAttributionOnly(attributionOnly, written),
      ...(changes.length > 0 ? [pgInsert('attribution_change', attributionChangeColumns, attributionChangeRows(changes, ctx.stamp.at))] : []),
    ];
  }
  return {
    plan,
    finish: async (written) => {
      if (!inStatement) {
        // SQLite runs in process: a statement per row costs no round trip.
        for (const { id, attribution } of attributionOnly) {
          if (written.has(id)) continue;
          const columns = attributionColumns(attribution);
          await sql.query(`update "customer" set ${Object.keys(columns).map((c) => `"${c}" = ?`).join(', ')} where "id" = ?`, [...Object.values(columns), id]);
        }
        await recordAttributionChanges(sql, changes, ctx.stamp.at);
      }
      return customerOutcome(byId, new Set(attributionOnly.map((a) => a.id)), written);
    },
  };
}

/**
 * What the customers' apply took: the newest state of each customer the upsert wrote, and for one it
 * did not write but whose keys changed (an attribution-only update), the states that carried a key.
 */
function customerOutcome(byId: Map<string, Tombstonable<ChargebeeCustomer>[]>, keysChanged: Set<string>, written: Set<string>): KindOutcome {
  const took = new Set<Tombstonable<unknown>>();
  let changedRows = written.size;
  for (const [id, states] of byId) {
    if (written.has(id)) took.add(newestOf(states));
    else if (keysChanged.has(id)) {
      changedRows += 1;
      for (const s of states) if (keysInPayload(s.data).customerKey || keysInPayload(s.data).partnerKey) took.add(s);
    }
  }
  return { changedRows, unchangedRows: byId.size - changedRows, took };
}
