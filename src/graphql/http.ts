import type { IncomingMessage } from 'node:http';
import type { Env } from '../config/env.js';
import type { Logger } from '../logger.js';
import type { ReconcileDeps } from '../reconcile/types.js';
import type { SyncDeps } from '../sync/sync-deps.js';
import type { RouteHandler } from '../http/server.js';
import { BodyTooLargeError, readBody } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import { createAuthenticator } from './context/auth.js';
import type { Viewer } from './context/tokens.js';
import { FastPathRequest, fastPathMediaType, fastPathOf, fastPathParams } from './fast-path.js';
import { createGraphQLYoga, type GraphQLYoga } from './yoga.js';

export type GraphQLEnv = Pick<Env, 'NODE_ENV' | 'API_TOKENS' | 'GRAPHIQL' | 'GRAPHQL_MAX_BODY_BYTES' | 'GRAPHQL_MAX_DEPTH' | 'GRAPHQL_MAX_COMPLEXITY'>;

export interface GraphQLEndpoint {
  yoga: GraphQLYoga;
  /** The `/graphql` route for src/http/server.ts. */
  route: RouteHandler;
  /** Requests the route answered on its fast path (fast-path.ts) and through yoga.fetch, so far. */
  served: { fastPath: number; yoga: number };
}

/** The request's headers as a record (node gives them lower-cased; repeated ones are joined as fetch does). */
function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * Builds the GraphQL endpoint. The route reads the body itself, within GRAPHQL_MAX_BODY_BYTES
 * (yoga has no limit of its own), then hands the request to yoga's fetch interface.
 */
export function createGraphQLEndpoint(options: {
  sync: SyncDeps; logger: Logger; env: GraphQLEnv; reconciler?: ReconcileDeps | null;
  onOperation?: (operationName: string, seconds: number) => void;
  /** Executions of an operation before it is compiled (jit.ts). */
  compileAfter?: number;
  /** false: every request goes through yoga.fetch (tests compare the two ways); default true. */
  fastPath?: boolean;
}): GraphQLEndpoint {
  const { sync, logger, env } = options;
  const auth = createAuthenticator({ apiTokens: env.API_TOKENS, production: env.NODE_ENV === 'production' }, logger);
  const viewers = new WeakMap<object, Viewer>();
  const yoga = createGraphQLYoga({
    deps: { sync, logger, reconciler: options.reconciler ?? null, limits: { maxDepth: env.GRAPHQL_MAX_DEPTH, maxComplexity: env.GRAPHQL_MAX_COMPLEXITY } },
    auth,
    graphiql: env.GRAPHIQL,
    onOperation: options.onOperation,
    compileAfter: options.compileAfter,
    viewers,
  });
  const answerFastPath = options.fastPath === false ? null : fastPathOf(yoga);
  const served = { fastPath: 0, yoga: 0 };
  const route: RouteHandler = async (req, res, log, requestId) => {
    let body: Buffer | undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      try {
        body = await readBody(req, env.GRAPHQL_MAX_BODY_BYTES);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        sendJson(res, 413, { errors: [{ message: error.message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }, { connection: 'close' });
        return;
      }
    }
    const serverContext = { remoteAddress: req.socket.remoteAddress, requestId, log };
    if (answerFastPath !== null && body !== undefined && req.method === 'POST' && req.url === '/graphql') {
      const mediaType = fastPathMediaType(req.headers);
      const authorization = req.headers.authorization;
      // Unknown callers get yoga's 401 (onRequest) the usual way.
      const viewer = mediaType === undefined ? null : auth.viewerFor(authorization === undefined ? null : authorization, serverContext.remoteAddress);
      const params = viewer === null ? null : fastPathParams(body);
      if (mediaType !== undefined && viewer !== null && params !== null) {
        const request = new FastPathRequest(`http://${req.headers.host ?? 'localhost'}/graphql`, req.headers);
        viewers.set(request, viewer);
        served.fastPath += 1;
        const answer = await answerFastPath(request, params, mediaType, serverContext);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      }
    }
    served.yoga += 1;
    const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/graphql'}`;
    const response = await yoga.fetch(url, { method: req.method, headers: headersOf(req), body: body === undefined ? undefined : new Uint8Array(body) }, serverContext);
    // Answers are text (JSON, GraphiQL's HTML): one string, written with the head in one go.
    const payload = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => { headers[name] = value; });
    res.writeHead(response.status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
    res.end(payload);
  };
  return { yoga, route, served };
}
