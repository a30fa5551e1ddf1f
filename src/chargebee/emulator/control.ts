// HTTP control interface under /__emulator, so another process (a demo, a
// benchmark driver) can change data, time and faults. No auth: local test tool.
// Bodies are trusted JSON from tests; only their outer shape is checked.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeliverOptions } from './delivery.js';
import type { BulkInput, Emulator, ResourceApi } from './emulator.js';
import { ApiError } from './errors.js';
import type { FaultSettings } from './faults.js';
import { CONTROL_PREFIX, sendError, sendJson } from './http.js';
import type { SeedOptions } from './seed.js';
import { KINDS, PLURAL, type Kind, type MutationOptions } from './types.js';

const MAX_BODY = 256 * 1024 * 1024;

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new ControlError(413, 'body too large');
    chunks.push(buf);
  }
  if (size === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ControlError(400, 'body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ControlError(400, 'body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function mutationOptions(q: URLSearchParams): MutationOptions {
  const opts: MutationOptions = {};
  const eventType = q.get('event_type');
  if (eventType) opts.eventType = eventType;
  if (q.get('silent') === 'true') opts.silent = true;
  const source = q.get('source');
  if (source) opts.source = source;
  const user = q.get('user');
  if (user) opts.user = user;
  return opts;
}

function apiFor(emu: Emulator, kind: Kind): ResourceApi<Kind> {
  const byKind: { [K in Kind]: ResourceApi<K> } = {
    customer: emu.customers,
    subscription: emu.subscriptions,
    transaction: emu.transactions,
    plan: emu.plans,
    item_price: emu.itemPrices,
  };
  return byKind[kind] as ResourceApi<Kind>;
}

const KIND_BY_PLURAL = new Map<string, Kind>(KINDS.map((k) => [PLURAL[k], k]));

export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, emu: Emulator): Promise<void> {
  try {
    const method = req.method ?? 'GET';
    const parts = url.pathname.slice(CONTROL_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
    const body = method === 'GET' || method === 'DELETE' ? {} : await readJson(req);
    const result = await dispatch(method, parts, url.searchParams, body, emu);
    sendJson(res, 200, result);
  } catch (err) {
    if (err instanceof ControlError) sendJson(res, err.status, { message: err.message });
    else if (err instanceof ApiError) sendError(res, err);
    else sendJson(res, 400, { message: err instanceof Error ? err.message : String(err) });
  }
}

async function dispatch(method: string, parts: string[], q: URLSearchParams, body: Record<string, unknown>, emu: Emulator): Promise<unknown> {
  const route = `${method} /${parts.join('/')}`;
  switch (route) {
    case 'GET /health':
      return { ok: true, site: emu.site, url: emu.url };
    case 'POST /reset':
      emu.reset();
      return { ok: true };
    case 'GET /stats': {
      const windowMs = Number(q.get('windowMs') ?? NaN);
      const pathPrefix = q.get('pathPrefix') ?? undefined;
      const max = Number.isFinite(windowMs) ? emu.maxRequestsInAnyWindow(windowMs, { pathPrefix, includeRejected: q.get('includeRejected') !== 'false' }) : undefined;
      return { ...emu.stats.snapshot(), ...(max !== undefined ? { maxRequestsInWindow: max, windowMs } : {}) };
    }
    case 'GET /stats/log':
      return { log: emu.stats.log };
    case 'POST /stats/reset':
      emu.stats.reset();
      return { ok: true };
    case 'GET /clock':
      return emu.clock.state();
    case 'POST /clock':
      return setClock(emu, body);
    case 'GET /faults':
      return emu.faults.state();
    case 'POST /faults':
      return emu.faults.set(body as FaultSettings);
    case 'DELETE /faults':
      emu.faults.clear();
      return emu.faults.state();
    case 'POST /seed':
      return emu.seed(body as unknown as SeedOptions);
    case 'POST /bulk':
      return emu.bulkInsert(body as BulkInput, mutationOptions(q));
    case 'GET /events': {
      const list = q.get('undelivered') === 'true' ? emu.events.undelivered() : emu.events.all();
      return { count: list.length, events: list };
    }
    case 'POST /events': {
      if (typeof body.event_type !== 'string') throw new ControlError(400, 'event_type is required');
      const content = typeof body.content === 'object' && body.content !== null ? (body.content as Record<string, unknown>) : {};
      return emu.events.emit(body.event_type, content, mutationOptions(q));
    }
    case 'POST /deliver':
      if (typeof body.url !== 'string') throw new ControlError(400, 'url is required');
      return emu.deliver(body as unknown as DeliverOptions);
  }
  return resourceRoute(method, parts, q, body, emu);
}

function setClock(emu: Emulator, body: Record<string, unknown>): unknown {
  const frozen = body.frozen === false ? false : true;
  if (body.real === true) emu.clock.real();
  if (typeof body.nowMs === 'number') emu.clock.set(body.nowMs, { frozen });
  if (typeof body.nowSeconds === 'number') emu.clock.set(body.nowSeconds * 1000, { frozen });
  if (typeof body.advanceMs === 'number') emu.clock.advance(body.advanceMs);
  if (typeof body.advanceSeconds === 'number') emu.clock.advance(body.advanceSeconds * 1000);
  return emu.clock.state();
}

function resourceRoute(method: string, parts: string[], q: URLSearchParams, body: Record<string, unknown>, emu: Emulator): unknown {
  const [plural, id, action, ...extra] = parts;
  const kind = KIND_BY_PLURAL.get(plural ?? '');
  if (!kind || extra.length > 0) throw new ControlError(404, `no control route ${method} /${parts.join('/')}`);
  const api = apiFor(emu, kind);
  const opts = mutationOptions(q);
  if (id === undefined) {
    if (method === 'POST') return { [kind]: api.create(body, opts) };
    if (method === 'GET') {
      const limit = Number(q.get('limit') ?? 1000);
      return { count: api.count(), list: api.all().slice(0, limit) };
    }
  } else if (action === undefined) {
    if (method === 'GET') {
      const record = api.get(id);
      if (!record) throw new ControlError(404, `${kind} ${id} not found`);
      return { [kind]: record };
    }
    if (method === 'PATCH' || method === 'POST') return { [kind]: api.update(id, body, opts) };
    if (method === 'DELETE') {
      if (q.get('purge') === 'true') return { purged: api.purge(id) };
      return { [kind]: api.delete(id, opts) };
    }
  } else if (method === 'POST' && kind === 'subscription' && action === 'cancel') {
    return { subscription: emu.subscriptions.cancel(id, body, opts) };
  } else if (method === 'POST' && kind === 'transaction' && action === 'refund') {
    const amount = typeof body.amount === 'number' ? body.amount : undefined;
    return { transaction: emu.transactions.refund(id, { ...opts, amount }) };
  }
  throw new ControlError(404, `no control route ${method} /${parts.join('/')}`);
}
