import type { IncomingHttpHeaders } from 'node:http';
import { processRegularResult, type GraphQLParams } from 'graphql-yoga';
import type { ExecutionResult } from './graphql-js.js';
import type { GraphQLServerContext, GraphQLYoga } from './yoga.js';

/**
 * The common request, answered without yoga's fetch adaptation: a POST of `application/json` to
 * the endpoint's exact path, with a JSON object of `query` (and optionally `variables` and
 * `operationName`) as body, from a caller the authenticator knows. yoga's fetch interface turns
 * each request into a Request (headers, URL, body stream), runs its request hooks, content
 * negotiation, and a Response it then reads back: for `{ __typename }` more CPU than the operation.
 *
 * Here the same operation goes through yoga's own `getResultForParams` (its params hooks, and
 * envelop with every plugin: parse and validation caches, context, limits, compiled execution,
 * error masking, operation timing) and is serialized by yoga's own `processRegularResult`, so the
 * status, headers and body are those yoga.fetch would answer. What yoga would answer before the
 * operation (401, 415, a body that is not JSON, unexpected parameters, batches, GraphiQL, GET)
 * never takes this path: the route hands such requests to yoga.fetch (test/graphql/fast-path.test.ts
 * compares both ways).
 */

/**
 * The media type yoga's result processor picks for an Accept header (the last acceptable one),
 * for the headers clients commonly send; undefined for any other header (yoga decides).
 */
const mediaTypes = new Map<string | undefined, string>([
  [undefined, 'application/json'],
  ['*/*', 'application/json'],
  ['application/json', 'application/json'],
  ['application/json, */*', 'application/json'],
  ['application/graphql-response+json', 'application/graphql-response+json'],
  ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
  ['application/graphql-response+json, application/json;q=0.9', 'application/graphql-response+json'],
  ['application/graphql-response+json;charset=utf-8, application/json;charset=utf-8', 'application/graphql-response+json'],
]);

const jsonContentTypes = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

/**
 * The media type of the answer when the request's headers allow the fast path (a JSON POST with
 * an Accept header listed above); undefined otherwise.
 */
export function fastPathMediaType(headers: IncomingHttpHeaders): string | undefined {
  const contentType = headers['content-type'];
  if (contentType === undefined || !jsonContentTypes.has(contentType)) return undefined;
  const accept = headers.accept;
  return mediaTypes.get(accept);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The parameters of a body yoga would accept as they are: a JSON object of a `query` string,
 * `variables` (an object, or null) and `operationName` (a string, or null), nothing else (yoga
 * reports a missing query, other types and unknown keys; `extensions` go its way too). Null for
 * anything else.
 */
export function fastPathParams(body: Buffer): GraphQLParams | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isPlainObject(parsed)) return null;
  for (const key in parsed) {
    const value = parsed[key];
    if (key === 'query') {
      if (typeof value !== 'string') return null;
    } else if (key === 'variables') {
      if (value !== null && !isPlainObject(value)) return null;
    } else if (key === 'operationName') {
      if (value !== null && typeof value !== 'string') return null;
    } else {
      return null;
    }
  }
  if (typeof parsed.query !== 'string') return null;
  return parsed as GraphQLParams;
}

/** The part of fetch's Headers the plugins and the context read (`get`), over node's parsed headers. */
class NodeHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
}

/**
 * What the operation sees as its `request` (yoga puts it in the context): the method, URL and
 * headers. Nothing on this path reads the body (its params are parsed already).
 */
export class FastPathRequest {
  readonly method = 'POST';
  readonly headers: NodeHeaders;

  constructor(readonly url: string, headers: IncomingHttpHeaders) {
    this.headers = new NodeHeaders(headers);
  }
}

/** yoga's result processor builds a Response; this keeps what it was given instead. */
class CapturedResponse {
  constructor(readonly body: string, readonly init: { status: number; headers: Record<string, string> }) {}
}
const capture = { Response: CapturedResponse } as unknown as Parameters<typeof processRegularResult>[1];

export interface Answer {
  status: number;
  /** In the order, and with the names, that yoga's Response lists them (content-length last). */
  headers: Record<string, string>;
  body: string;
}

/**
 * Answers fast-path requests for `yoga`: runs the operation as yoga.fetch would, and serializes its
 * result as yoga's result processor does.
 */
export function fastPathOf(yoga: GraphQLYoga): (request: FastPathRequest, params: GraphQLParams, mediaType: string, serverContext: GraphQLServerContext) => Promise<Answer> {
  // yoga's adapter hands out a new wrapper of the method on every property read.
  const getResultForParams = yoga.getResultForParams;
  return async (request, params, mediaType, serverContext) => {
    const result = await getResultForParams({ params, request: request as unknown as Request }, serverContext) as ExecutionResult;
    // A subscription operation answers a stream only when its root field's resolver gives one; no
    // field of this schema does (graphql-js answers errors instead), so this cannot happen here.
    if (Symbol.asyncIterator in result) throw new Error('the fast path cannot answer a stream');
    const response = processRegularResult(result, capture, mediaType) as unknown as CapturedResponse;
    const body = response.body;
    return { status: response.init.status, headers: { ...response.init.headers, 'content-length': String(Buffer.byteLength(body)) }, body };
  };
}
