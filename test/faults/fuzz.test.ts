import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { bodyOf, fuzzRequest, type FuzzRequest } from './support/fuzz-requests.js';
import { ServiceProcess } from './support/service-process.js';

const numRuns = Number(process.env.FAULT_FUZZ_RUNS ?? 400);
type Json = Record<string, unknown>;

interface Answer {
  token: string;
  request: FuzzRequest;
  sent: string | Uint8Array;
  status: number;
  response: Json;
}

/** Resource ids in a sent body that belong to this request alone (they contain its token). */
function ownedIds(sent: string | Uint8Array, token: string): { table: string; id: string }[] {
  let body: unknown;
  try {
    body = typeof sent === 'string' ? JSON.parse(sent) : null;
  } catch {
    return [];
  }
  const content = (body as { content?: unknown } | null)?.content;
  if (content === null || typeof content !== 'object') return [];
  const c = content as Json;
  const idOf = (v: unknown) => (v !== null && typeof v === 'object' ? (v as Json).id : undefined);
  const candidates = [
    { table: 'customer', id: idOf(c.customer) },
    { table: 'subscription', id: idOf(c.subscription) },
    { table: 'billing_transaction', id: idOf(c.transaction) },
    ...(Array.isArray(c.subscriptions) ? c.subscriptions.map((s) => ({ table: 'subscription', id: idOf(s) })) : []),
  ];
  return candidates.filter((x): x is { table: string; id: string } => typeof x.id === 'string' && x.id.endsWith(token));
}

describe.each(testDialects())('fuzz: random and mutated webhook requests (%s)', (dialect) => {
  let db: TestDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    service = await ServiceProcess.create({ databaseUrl: db.url });
    await service.start();
  });
  afterAll(async () => {
    await service?.kill();
    await db?.destroy();
  });

  it(`never answers a 5xx but 503, never crashes, never leaves partial rows (${numRuns} requests)`, async () => {
    const runId = Date.now().toString(36);
    const answers: Answer[] = [];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const token = `${runId}_${n++}z`;
        const sent = bodyOf(request.body, token);
        const headers: Record<string, string> = {};
        if (request.auth !== null) headers.authorization = request.auth;
        if (request.contentType !== null) headers['content-type'] = request.contentType;
        const res = await fetch(`${service.url}/webhooks/chargebee`, {
          method: request.method, headers, body: request.method === 'GET' ? undefined : sent, signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        let response: Json = {};
        try {
          response = JSON.parse(text) as Json;
        } catch {
          response = { raw: text };
        }
        answers.push({ token, request, sent, status: res.status, response });
        expect(res.status < 500 || res.status === 503, `status ${res.status} ${text}`).toBe(true);
      }),
      { numRuns, seed: process.env.FAULT_FUZZ_SEED ? Number(process.env.FAULT_FUZZ_SEED) : undefined },
    );

    expect(service.alive).toBe(true);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const statuses: Record<string, number> = {};
    for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    const outcomes: Record<string, number> = {};
    for (const a of answers.filter((x) => x.status === 200)) outcomes[String(a.response.status)] = (outcomes[String(a.response.status)] ?? 0) + 1;
    const unavailable = answers.filter((a) => a.status === 503);
    console.info(`fuzz/${dialect}: statuses ${JSON.stringify(statuses)}, stored as ${JSON.stringify(outcomes)}`
      + (unavailable.length > 0 ? `; 503 for: ${unavailable.map((a) => String(a.sent).slice(0, 160)).join(' | ')}` : ''));

    // Every resource a request owns exists exactly when its event was stored as applied.
    const owned = answers.flatMap((a) => ownedIds(a.sent, a.token).map((o) => ({ ...o, answer: a })));
    const existing = new Set<string>();
    for (const table of ['customer', 'subscription', 'billing_transaction']) {
      const ids = owned.filter((o) => o.table === table).map((o) => o.id);
      for (let i = 0; i < ids.length; i += 500) {
        const rows = (await db.sync.knex(table).select('id').whereIn('id', ids.slice(i, i + 500))) as { id: string }[];
        for (const r of rows) existing.add(`${table}:${r.id}`);
      }
    }
    const partial: string[] = [];
    for (const o of owned) {
      const applied = o.answer.status === 200 && o.answer.response.status === 'applied' && o.answer.response.duplicate === false;
      if (existing.has(`${o.table}:${o.id}`) !== applied) {
        partial.push(`${o.table} ${o.id}: row ${existing.has(`${o.table}:${o.id}`) ? 'exists' : 'missing'}, answer ${o.answer.status} ${JSON.stringify(o.answer.response)}`);
      }
    }
    expect(partial).toEqual([]);

    // 200 means stored (with the status it reported); anything else means not stored.
    const stored = new Map(((await db.sync.knex('webhook_event').select('event_id', 'status')) as { event_id: string; status: string }[])
      .map((r) => [r.event_id, r.status]));
    const inboxProblems = answers.flatMap((a) => {
      const eventId = typeof a.response.eventId === 'string' ? a.response.eventId : null;
      if (a.status === 200) return eventId !== null && stored.get(eventId) === a.response.status ? [] : [`200 but not stored as answered: ${JSON.stringify(a.response)}`];
      return stored.has(`ev_${a.token}`) ? [`${a.status} but stored: ev_${a.token}`] : [];
    });
    expect(inboxProblems).toEqual([]);
  });
});
