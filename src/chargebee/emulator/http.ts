// HTTP front end: auth, faults and rate limit in front of the read-only API v2
// routes; /__emulator/* is handed to the control router (no auth, no faults).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection } from './collection.js';
import { ApiError, authFailed, errorBody, injectedFailure, invalidRequest, notFound, rateLimited } from './errors.js';
import type { Faults } from './faults.js';
import { paginate, parseListQuery, type ListConfig } from './list.js';
import type { Stats } from './stats.js';
import type { Store } from './store.js';
import { KINDS, PLURAL, type BaseRecord, type Kind, type Subscription } from './types.js';

export const API_PREFIX = '/api/v2';
export const CONTROL_PREFIX = '/__emulator';

export interface ApiDeps {
  store: Store;
  faults: Faults;
  stats: Stats;
  apiKey: string;
  /** Called for hung requests so close() can tear them down. */
  onHang(req: IncomingMessage, hangMs: number | null): void;
}

type Listable = Kind | 'event';

const LIST_CONFIG: Record<Listable, ListConfig> = {
  customer: { sortFields: ['created_at', 'updated_at'], defaultSort: { field: 'created_at', dir: 'desc' } },
  subscription: {
    sortFields: ['created_at', 'updated_at'],
    defaultSort: { field: 'created_at', dir: 'desc' },
    fieldValues: {
      // PC2 filter: matches any subscription item (and the PC1 plan id on migrated sites).
      item_price_id: (r) => [
        ...((r as Subscription).subscription_items ?? []).map((it) => it.item_price_id),
        (r as Subscription).plan_id,
      ],
    },
  },
  transaction: { sortFields: ['date', 'updated_at'], defaultSort: { field: 'date', dir: 'desc' } },
  plan: { sortFields: ['created_at', 'updated_at', 'id'], defaultSort: { field: 'created_at', dir: 'desc' } },
  item_price: { sortFields: ['created_at', 'updated_at', 'id', 'name'], defaultSort: { field: 'created_at', dir: 'desc' } },
  event: { sortFields: ['occurred_at'], defaultSort: { field: 'occurred_at', dir: 'desc' } },
};

const KIND_BY_PLURAL = new Map<string, Listable>([...KINDS.map((k): [string, Listable] => [PLURAL[k], k]), ['events', 'event']]);

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown, headers: Record<string, string> = {}): void {
  if (err instanceof ApiError) sendJson(res, err.status, err.body(), headers);
  else sendJson(res, 500, errorBody(500, 'internal_error', err instanceof Error ? err.message : String(err)));
}

function authorized(req: IncomingMessage, apiKey: string): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Basic\s+(\S+)$/i.exec(header);
  if (!m) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  return decoded === `${apiKey}:`;
}

export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, deps: ApiDeps): Promise<void> {
  const entry = deps.stats.begin(req.method ?? 'GET', url.pathname);
  res.on('finish', () => {
    entry.status = res.statusCode;
  });
  const apiPath = url.pathname.slice(API_PREFIX.length) || '/';
  try {
    const decision = deps.faults.decide(apiPath);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.action === 'hang') {
      deps.stats.injectedTimeouts += 1;
      deps.onHang(req, decision.hangMs);
      return;
    }
    if (decision.action === 'fail') {
      deps.stats.injectedFailures += 1;
      throw injectedFailure(decision.status);
    }
    if (!authorized(req, deps.apiKey)) throw authFailed();
    const admission = deps.faults.admit(Date.now());
    if (!admission.ok) {
      deps.stats.rateLimited += 1;
      const headers: Record<string, string> = admission.retryAfterSeconds !== null ? { 'retry-after': String(admission.retryAfterSeconds) } : {};
      sendError(res, rateLimited(), headers);
      return;
    }
    if (req.method !== 'GET') throw new ApiError(405, 'invalid_request', 'The emulator serves only GET on /api/v2; use /__emulator to change data', 'invalid_request');
    sendJsonText(res, 200, route(apiPath, url.searchParams, deps.store));
  } catch (err) {
    sendError(res, err);
  }
}

/** The JSON text of an answer: list bodies are put together from each record's cached JSON. */
function route(apiPath: string, params: URLSearchParams, store: Store): string {
  const [, plural, rawId, ...rest] = apiPath.split('/');
  const kind = KIND_BY_PLURAL.get(plural ?? '');
  if (!kind || rest.length > 0) throw new ApiError(404, 'resource_not_found', `Unknown path ${API_PREFIX}${apiPath}`, 'invalid_request');
  const coll: Collection<BaseRecord> = kind === 'event' ? store.events : store.collection(kind);
  if (rawId === undefined || rawId === '') {
    const page = paginate(coll, parseListQuery(params, LIST_CONFIG[kind]));
    const list = page.items.map((r) => entryJson(kind, r, store)).join(',');
    // Same text as JSON.stringify({ list, next_offset }) of the entry objects.
    return page.nextOffset !== undefined ? `{"list":[${list}],"next_offset":${JSON.stringify(page.nextOffset)}}` : `{"list":[${list}]}`;
  }
  const id = safeDecode(rawId);
  const record = coll.get(id);
  if (!record) throw notFound(kind, id);
  return entryJson(kind, record, store);
}

/**
 * JSON text per stored record. Records are frozen and never change in place (a mutation stores a new
 * object), so a record's text is computed once, however many pages and runs list it.
 */
const jsonByRecord = new WeakMap<object, string>();

function jsonOf(record: object): string {
  let text = jsonByRecord.get(record);
  if (text === undefined) {
    text = JSON.stringify(record);
    jsonByRecord.set(record, text);
  }
  return text;
}

/** Subscriptions come with their customer in list and retrieve responses, as in the real API. */
function entryJson(kind: Listable, r: BaseRecord, store: Store): string {
  if (kind === 'subscription') {
    const customer = store.get('customer', (r as Subscription).customer_id);
    return customer ? `{"subscription":${jsonOf(r)},"customer":${jsonOf(customer)}}` : `{"subscription":${jsonOf(r)}}`;
  }
  return `{${JSON.stringify(kind)}:${jsonOf(r)}}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalidRequest('malformed id in path');
  }
}
