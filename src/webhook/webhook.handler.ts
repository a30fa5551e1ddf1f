import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { basicAuthMatches, type BasicCredentials } from '../http/basic-auth.js';
import { BodyTooLargeError, readBody } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import { InvalidEventError, parseEnvelope, type IngestResult } from '../sync/ingest.js';
import { QueueFullError, type IngestQueue } from './ingest-queue.js';
import { loggableError } from '../db/errors.js';

export interface WebhookOptions {
  /** Group-commits events; resolves once the event's transaction has committed. */
  queue: IngestQueue;
  /** null: webhooks are accepted without authentication (allowed outside production only). */
  credentials: BasicCredentials | null;
  maxBodyBytes: number;
  /** Called once per stored event (metrics). */
  onIngested?: (eventType: string, result: IngestResult, seconds: number) => void;
  /** Called for each refused request, with its status (metrics). */
  onRejected?: (status: number) => void;
}

/**
 * POST /webhooks/chargebee. Answers 200 only once the event is committed to the inbox (and applied,
 * or recorded as ignored/stale/failed); anything that prevents that answers 503 so Chargebee retries.
 */
export async function handleWebhook(req: IncomingMessage, res: ServerResponse, options: WebhookOptions, log: Logger): Promise<void> {
  if (options.onRejected) {
    const onRejected = options.onRejected;
    res.once('finish', () => {
      if (res.statusCode >= 400) onRejected(res.statusCode);
    });
  }
  if (req.method !== 'POST') {
    sendJson(res, 405, { error: 'method_not_allowed', message: 'use POST' }, { allow: 'POST' });
    return;
  }
  if (options.credentials && !basicAuthMatches(req.headers.authorization, options.credentials)) {
    log.warn('webhook rejected: bad credentials');
    // Closing the connection keeps an unauthenticated sender from streaming a body at us.
    sendJson(res, 401, { error: 'unauthorized', message: 'invalid or missing HTTP Basic credentials' },
      { 'www-authenticate': 'Basic realm="chargebee-sync"', connection: 'close' });
    return;
  }
  let body: unknown;
  let text: string;
  try {
    text = (await readBody(req, options.maxBodyBytes)).toString('utf8');
    body = JSON.parse(text);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendJson(res, 413, { error: 'payload_too_large', message: error.message }, { connection: 'close' });
    } else {
      sendJson(res, 400, { error: 'invalid_json', message: `body is not valid JSON: ${(error as Error).message}` });
    }
    return;
  }
  let event;
  try {
    event = parseEnvelope(body);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    sendJson(res, 400, { error: 'invalid_event', message: error.message });
    return;
  }
  const started = process.hrtime.bigint();
  try {
    const result = await options.queue.submit(event, body, text);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    options.onIngested?.(event.event_type, result, seconds);
    if (result.rejected) {
      log.warn({ eventId: event.id, eventType: event.event_type, reason: result.rejected }, 'webhook event refused by the database');
      sendJson(res, 422, { error: 'unprocessable_event', message: result.rejected });
      return;
    }
    const fields = { eventId: event.id, eventType: event.event_type, status: result.status, duplicate: result.duplicate };
    if (result.status === 'failed' && !result.duplicate) log.warn({ ...fields, reason: result.error }, 'webhook event failed to apply; stored for replay');
    else log.debug(fields, 'webhook event stored');
    sendJson(res, 200, { eventId: event.id, status: result.status, duplicate: result.duplicate });
  } catch (error) {
    if (error instanceof QueueFullError) log.warn({ eventId: event.id }, 'webhook queue full; asking Chargebee to retry');
    else log.error({ eventId: event.id, eventType: event.event_type, error: loggableError(error) }, 'webhook event not stored; asking Chargebee to retry');
    sendJson(res, 503, { error: 'unavailable', message: 'the event could not be stored; retry later' }, { 'retry-after': '30' });
  }
}
