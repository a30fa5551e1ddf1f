import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loggableError } from '../db/errors.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { sendJson } from './respond.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, log: Logger, requestId: string) => Promise<void> | void;

export interface Routes {
  /** Exact path → handler. */
  [path: string]: RouteHandler;
}

const requestIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

/** A thin router: request id, one log line per request, 404, and a 500 that never leaks details. */
export function createHttpServer(routes: Routes, logger: Logger): Server {
  return createServer((req, res) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const log = logger.child({ requestId });
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const handler = routes[path];
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    if (!handler) {
      sendJson(res, 404, { error: 'not_found', message: `no route ${path}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res, log, requestId))
      .catch((error: unknown) => {
        log.error({ error: loggableError(error) }, 'unhandled error');
        sendJson(res, 500, { error: 'internal', message: 'internal error', requestId });
      });
  });
}

/** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes idle keep-alive sockets. */
export async function closeHttpServer(server: Server, graceMs = 10_000): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
