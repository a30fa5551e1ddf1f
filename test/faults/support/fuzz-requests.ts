import fc from 'fast-check';
import { customer, envelope, pc1Subscription, pc2Subscription, transaction } from '../../support/events.js';
import { serviceAuth, serviceAuthHeader } from './service-process.js';

type Json = Record<string, unknown>;

/** Values that break assumptions: huge and fractional numbers, odd text, wrong types. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, 2 ** 63, 1e20, -1e20, 1e308, Number.MIN_VALUE),
  fc.constantFrom('', ' ', '\u0000', 'nul\u0000inside', '😀'.repeat(50), 'x'.repeat(300), 'é\u200bü', '\ud800', '{"a":1}', '1700000000'),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** A mutation: replace the value at the n-th path (mod the number of paths) or delete it. */
const mutation = fc.record({ at: fc.nat(), remove: fc.boolean(), value: oddValue });
export type Mutation = { at: number; remove: boolean; value: unknown };

export const eventKinds = ['customer_changed', 'subscription_pc1', 'subscription_pc2', 'payment_succeeded', 'customer_deleted', 'unknown_type'] as const;

/** A valid event whose resource ids all contain `token` (so rows can be traced back to it). */
export function baseEvent(kind: (typeof eventKinds)[number], token: string): Json {
  const cus = customer(`cus_${token}`, 1_700_000_000_000, { cf_customer_id: `key_${token}` });
  const sub = (kind === 'subscription_pc2' ? pc2Subscription : pc1Subscription)(`sub_${token}`, `cus_${token}`, 1_700_000_000_001);
  const id = `ev_${token}`;
  switch (kind) {
    case 'customer_changed': return envelope('customer_changed', { customer: cus }, { id });
    case 'subscription_pc1':
    case 'subscription_pc2': return envelope('subscription_changed', { subscription: sub, customer: cus }, { id });
    case 'payment_succeeded': return envelope('payment_succeeded', {
      transaction: transaction(`txn_${token}`, `cus_${token}`, 1_700_000_000_002), customer: cus, subscription: sub, invoice: { id: `inv_${token}`, total: 100 },
    }, { id });
    case 'customer_deleted': return envelope('customer_deleted', { customer: cus, subscriptions: [sub] }, { id });
    default: return envelope('something_new_happened', { gift: { id: `gift_${token}` } }, { id });
  }
}

function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

export function mutate(event: Json, mutations: readonly Mutation[]): Json {
  const copy = structuredClone(event);
  for (const m of mutations) {
    const all = paths(copy).filter((p) => p.length > 0);
    const path = all[m.at % all.length] as (string | number)[];
    let parent: Record<string | number, unknown> = copy;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string | number;
    if (m.remove && !Array.isArray(parent)) delete parent[last];
    else parent[last] = m.value;
  }
  return copy;
}

export type BodySpec =
  | { type: 'event'; kind: (typeof eventKinds)[number]; mutations: Mutation[] }
  | { type: 'truncated'; kind: (typeof eventKinds)[number]; cut: number }
  | { type: 'json'; value: unknown }
  | { type: 'text'; text: string }
  | { type: 'bytes'; bytes: Uint8Array };

export interface FuzzRequest {
  method: string;
  auth: string | null;
  contentType: string | null;
  body: BodySpec;
}

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.oneof({ weight: 12, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH') }),
  auth: fc.oneof(
    { weight: 10, arbitrary: fc.constant(serviceAuthHeader) },
    { weight: 1, arbitrary: fc.constantFrom(null, 'Basic', 'Basic !!!', 'Bearer hook-secret-123', `basic ${Buffer.from(`${serviceAuth.username}:${serviceAuth.password}`).toString('base64')}`) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })).map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')) },
  ),
  contentType: fc.constantFrom('application/json', 'application/json', 'application/json', null, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16'),
  body: fc.oneof(
    { weight: 10, arbitrary: fc.record({ type: fc.constant('event' as const), kind: fc.constantFrom(...eventKinds), mutations: fc.array(mutation, { maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('truncated' as const), kind: fc.constantFrom(...eventKinds), cut: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('text' as const), text: fc.string({ unit: 'binary', maxLength: 200 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 200 }) }) },
  ),
});

/** The request body for a spec; `token` makes its ids unique to this one request. */
export function bodyOf(spec: BodySpec, token: string): string | Uint8Array<ArrayBuffer> {
  switch (spec.type) {
    case 'event': return JSON.stringify(mutate(baseEvent(spec.kind, token), spec.mutations));
    case 'truncated': {
      const text = JSON.stringify(baseEvent(spec.kind, token));
      return text.slice(0, spec.cut % text.length);
    }
    case 'json': return JSON.stringify(spec.value);
    case 'text': return spec.text;
    case 'bytes': return new Uint8Array(spec.bytes);
  }
}
