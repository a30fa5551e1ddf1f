import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { HttpClientInterface } from 'chargebee';

/**
 * The SDK's HTTP client (its documented `httpClient` option) on node:http with keep-alive agents,
 * instead of the default global fetch. Requests are built by the SDK as before; only the transport
 * differs. fetch's web-stream body handling cost about as much CPU per list page as parsing the JSON
 * itself: with pages of 100 records read as fast as the site answers, that is the reconciler's largest
 * cost outside the database.
 *
 * Failures keep the SDK's shapes: a timeout rejects like the SDK's own (`type: 'timeout'`, 504), a
 * network error with the socket's error (no HTTP status), and any answer, whatever its status, resolves
 * for the SDK to turn into its result or error.
 */
export class NodeHttpClient implements HttpClientInterface {
  // Private fields, not properties: the SDK deep-copies its configuration (this client included) on
  // every request, and would otherwise walk the agents' socket pools each time.
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;

  constructor(options: { maxSockets?: number } = {}) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8 };
    this.#http = new HttpAgent(agentOptions);
    this.#https = new HttpsAgent(agentOptions);
  }

  async makeApiRequest(request: Request, timeout: number): Promise<Response> {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : Buffer.from(await request.arrayBuffer());
    const secure = url.protocol === 'https:';
    return new Promise<Response>((resolve, reject) => {
      const send = secure ? httpsRequest : httpRequest;
      const req = send(url, { method: request.method, headers, agent: secure ? this.#https : this.#http }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve(answer(res.statusCode ?? 0, res.headers, chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks)));
        });
      });
      const timer = setTimeout(() => fail(timeoutError()), timeout);
      function fail(error: unknown): void {
        clearTimeout(timer);
        req.destroy();
        reject(error);
      }
      req.on('error', fail);
      req.end(body ?? undefined);
    });
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

/** What the SDK reads of a response (status, headers, JSON body), without a web-stream body. */
function answer(status: number, raw: IncomingHttpHeaders, body: Buffer): Response {
  const headers = new Map<string, string>();
  for (const [key, value] of Object.entries(raw)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  const text = (): string => body.toString('utf8');
  const response = {
    status,
    ok: status >= 200 && status < 300,
    headers: { entries: () => headers.entries(), get: (name: string) => headers.get(name.toLowerCase()) ?? null },
    text: () => Promise.resolve(text()),
    json: () => new Promise<unknown>((resolve) => resolve(JSON.parse(text()))),
  };
  return response as unknown as Response;
}

/** The SDK's own timeout rejection (HttpClient.timeOutError), which classifyFailure reads as `timeout`. */
function timeoutError(): Error {
  return Object.assign(new Error('io_error'), {
    type: 'timeout', api_error_code: 'request aborted due to timeout.', error_code: 'request aborted due to timeout.',
    http_status_code: 504, http_code: 504,
  });
}
