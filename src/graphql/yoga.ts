import { randomUUID } from 'node:crypto';
import { loggableError } from '../db/errors.js';
import { GraphQLError, type ExecutionResult } from './graphql-js.js';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import type { GraphQLContext, GraphQLDeps } from './context/context.js';
import type { Authenticator } from './context/auth.js';
import type { Viewer } from './context/tokens.js';
import { schema } from './schema.js';
import { useCompiledExecution } from './jit.js';

/** What the HTTP layer hands each request (yoga.fetch callers in tests pass the same). */
export interface GraphQLServerContext {
  remoteAddress?: string;
  requestId?: string;
  log?: Logger;
}

export type GraphQLYoga = YogaServerInstance<GraphQLServerContext, GraphQLContext>;

export interface YogaOptions {
  deps: GraphQLDeps;
  auth: Authenticator;
  graphiql: boolean;
  /** Called after each executed operation with its name (metrics). */
  onOperation?: (operationName: string, seconds: number) => void;
  /** Executions of an operation before it is compiled (jit.ts); default 1. */
  compileAfter?: number;
  /**
   * The caller of each request whose caller is known already (onRequest, or the route's fast path,
   * fast-path.ts), so the context does not compare the token with every secret again.
   */
  viewers?: WeakMap<object, Viewer>;
}

/** Times every executed operation and reports it by operation name ('anonymous' when unnamed). */
function useOperationTiming(report: (operationName: string, seconds: number) => void): Plugin<GraphQLContext, GraphQLServerContext> {
  return {
    onExecute({ args }) {
      const started = process.hrtime.bigint();
      const definitions = args.document.definitions as readonly { kind: string; name?: { value: string } }[];
      const name = args.operationName ?? definitions.find((d) => d.kind === 'OperationDefinition')?.name?.value ?? 'anonymous';
      return {
        onExecuteDone() {
          report(name, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}

const unauthorized = (message: string) => new Response(
  JSON.stringify({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }),
  { status: 401, headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer realm="chargebee-sync"' } },
);

function wantsGraphiQL(request: Request): boolean {
  return request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');
}

/**
 * Refuses unauthenticated requests with 401 before any parsing. The GraphiQL page itself is public
 * (it holds no data; its queries need a token like any other). In open loopback mode a POST must be
 * JSON: a form a foreign web page submits to localhost cannot then drive admin mutations.
 */
function useAuthentication(auth: Authenticator, graphiql: boolean, viewers: WeakMap<object, Viewer>): Plugin<GraphQLContext, GraphQLServerContext> {
  return {
    onRequest({ request, serverContext, endResponse }) {
      if (graphiql && wantsGraphiQL(request)) return;
      const viewer = auth.viewerFor(request.headers.get('authorization'), serverContext.remoteAddress);
      if (viewer === null) {
        endResponse(unauthorized(auth.openLoopback
          ? 'API_TOKENS is not configured: only loopback callers are allowed'
          : 'Missing or unknown API token: send Authorization: Bearer <token>'));
        return;
      }
      viewers.set(request, viewer);
      if (auth.openLoopback && request.method === 'POST' && !(request.headers.get('content-type') ?? '').startsWith('application/json')) {
        endResponse(new Response(JSON.stringify({ errors: [{ message: 'POST bodies must be application/json' }] }), { status: 415, headers: { 'content-type': 'application/json' } }));
      }
    },
  };
}

/**
 * Replaces unexpected errors (anything not raised as a GraphQLError on purpose) with a generic
 * message carrying the request id, and logs the original with that id. Runs before yoga's own
 * masking, which then has nothing left to mask.
 */
function useLoggedErrorMasking(): Plugin<GraphQLContext, GraphQLServerContext> {
  const mask = (result: ExecutionResult, ctx: GraphQLContext): ExecutionResult => {
    if (!result.errors?.length) return result;
    const errors = result.errors.map((error) => {
      const original = error.originalError;
      if (original === undefined || original === null || original instanceof GraphQLError) return error;
      ctx.log().error({ error: loggableError(original), path: error.path?.join('.') }, 'unexpected error in GraphQL resolver');
      return new GraphQLError(`Unexpected error (request id ${ctx.requestId})`, {
        path: error.path, nodes: error.nodes, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: ctx.requestId },
      });
    });
    return { ...result, errors };
  };
  return {
    onExecute({ args }) {
      const ctx = args.contextValue;
      return {
        onExecuteDone({ result, setResult }) {
          if ('errors' in result) setResult(mask(result, ctx));
        },
      };
    },
  };
}

export function createGraphQLYoga({ deps, auth, graphiql, onOperation, compileAfter, viewers = new WeakMap() }: YogaOptions): GraphQLYoga {
  return createYoga<GraphQLServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: graphiql ? { title: 'chargebee-sync', defaultQuery: '{ syncStatus { lastWebhookReceivedAt unmappedPlanCount } }' } : false,
    landingPage: false,
    // Same-origin only: with CORS off a foreign page cannot read answers or send JSON (no preflight approval).
    cors: false,
    multipart: false,
    batching: false,
    // The route (http.ts) reads the body within GRAPHQL_MAX_BODY_BYTES before yoga sees it; yoga's
    // own limit would stream every body through a counting TransformStream again (about a tenth of
    // a `{ __typename }` request).
    maxRequestBodySize: false,
    logging: deps.logger,
    plugins: [useAuthentication(auth, graphiql, viewers), useCompiledExecution(compileAfter), useLoggedErrorMasking(), ...(onOperation ? [useOperationTiming(onOperation)] : [])],
    context: ({ request, remoteAddress, requestId, log }): GraphQLContext => {
      const id = requestId ?? request.headers.get('x-request-id') ?? randomUUID();
      const viewer = viewers.get(request) ?? auth.viewerFor(request.headers.get('authorization'), remoteAddress);
      // onRequest has already answered 401 for unknown callers; this only satisfies the type.
      if (viewer === null) throw new GraphQLError('Unauthenticated', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      let requestLog: Logger | undefined;
      return {
        viewer,
        requestId: id,
        log: () => (requestLog ??= (log ?? deps.logger).child({ requestId: id, apiToken: viewer.name })),
        deps,
        db: deps.sync.knex,
        loaders: new Map(),
      };
    },
  });
}
