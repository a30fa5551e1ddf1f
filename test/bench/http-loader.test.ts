import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DONE, FAIL, MORE, ResponseParser, loadHttp } from '../../bench/support/http-loader.js';

// --- parser -----------------------------------------------------------------------------------

interface Parsed { status: number; body: string; keepAlive: boolean; result: number }

/** Feeds one response cut at the given offsets (the loader has one response outstanding at a time). */
function parse(response: Buffer, cuts: number[], headRequest = false): Parsed {
  const parser = new ResponseParser();
  const body: Buffer[] = [];
  parser.onBody = (chunk) => body.push(Buffer.from(chunk));
  parser.reset(headRequest);
  const bounds = [0, ...cuts, response.length];
  let result = MORE;
  for (let i = 0; i + 1 < bounds.length; i++) {
    expect(result, 'DONE before the last piece').toBe(MORE);
    result = parser.execute(response.subarray(bounds[i], bounds[i + 1]));
  }
  return { status: parser.status, body: Buffer.concat(body).toString(), keepAlive: parser.keepAlive, result };
}

const responses = [
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n{"ok":true}',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 3\r\n\r\nabc',
  'HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n',
  'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: chunked\r\nX-Other: x\r\n\r\n3\r\nabc\r\n0\r\nx-trailer: 1\r\nother: 2\r\n\r\n',
  'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi',
  'HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\nhi',
  'HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n', // answer to HEAD: no body although content-length
];
const heads = [false, false, false, false, false, false, false, false, true];
const expected: Omit<Parsed, 'result'>[] = [
  { status: 200, body: '{"ok":true}', keepAlive: true },
  { status: 200, body: 'hello 0123456789', keepAlive: true },
  { status: 201, body: 'abc', keepAlive: true },
  { status: 204, body: '', keepAlive: true },
  { status: 413, body: '', keepAlive: false },
  { status: 200, body: 'abc', keepAlive: true },
  { status: 200, body: 'hi', keepAlive: false },
  { status: 200, body: 'hi', keepAlive: true },
  { status: 200, body: '', keepAlive: true },
];

const wires = responses.map((r) => Buffer.from(r, 'latin1'));
const want = expected.map((e) => ({ ...e, result: DONE }));
const parseEach = (cutsOf: (wire: Buffer) => number[]) => wires.map((w, i) => parse(w, cutsOf(w), heads[i]));

describe('ResponseParser', () => {
  it('parses whole responses', () => {
    expect(parseEach(() => [])).toEqual(want);
  });

  it('parses responses split at every single position', () => {
    const longest = Math.max(...wires.map((w) => w.length));
    for (let cut = 1; cut < longest; cut++) expect(parseEach((w) => (cut < w.length ? [cut] : [])), `cut at ${cut}`).toEqual(want);
  });

  it('parses responses fed byte by byte and in random pieces', () => {
    expect(parseEach((w) => Array.from({ length: w.length - 1 }, (_, i) => i + 1))).toEqual(want);
    let seed = 42;
    const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296);
    for (let round = 0; round < 200; round++) {
      const cutsOf = (w: Buffer) => [...new Set(Array.from({ length: 1 + Math.floor(random() * 10) }, () => 1 + Math.floor(random() * (w.length - 1))))].sort((x, y) => x - y);
      expect(parseEach(cutsOf), `round ${round}`).toEqual(want);
    }
  });

  it('reads only data[0, len) of a reused read buffer and keeps nothing of it', () => {
    const parser = new ResponseParser();
    const seen: string[] = [];
    parser.onBody = (c) => seen.push(c.toString());
    parser.reset();
    const buffer = Buffer.alloc(256, 'x');
    const feed = (text: string) => {
      buffer.fill('\r\n\r\nHTTP/1.1 500 stale\r\n\r\n'); // stale bytes past len must not be read
      buffer.write(text, 0, 'latin1');
      return parser.execute(buffer, Buffer.byteLength(text, 'latin1'));
    };
    expect(feed('HTTP/1.1 200 OK\r\nContent-Le')).toBe(MORE);
    expect(feed('ngth: 6\r\n')).toBe(MORE);
    expect(feed('\r\nabc')).toBe(MORE);
    expect(feed('def')).toBe(DONE);
    expect(parser.status).toBe(200);
    expect(parser.keepAlive).toBe(true);
    expect(seen.join('')).toBe('abcdef');
  });

  it('reads a body without length until the connection closes', () => {
    const parser = new ResponseParser();
    const seen: string[] = [];
    parser.onBody = (c) => seen.push(c.toString());
    parser.reset();
    expect(parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, '))).toBe(MORE);
    expect(parser.execute(Buffer.from('part two'))).toBe(MORE);
    expect(parser.end()).toBe(DONE);
    expect(seen.join('')).toBe('part one, part two');
    expect(parser.keepAlive).toBe(false);
  });

  it('clears keepAlive when bytes follow the response, fails on what is not HTTP', () => {
    const parser = new ResponseParser();
    parser.reset();
    expect(parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1'))).toBe(DONE);
    expect(parser.keepAlive).toBe(false);
    for (const junk of ['SSH-2.0-OpenSSH\r\n\r\n', 'HTTP/1.1 2x0 OK\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n']) {
      parser.reset();
      expect(parser.execute(Buffer.from(junk)), junk).toBe(FAIL);
    }
    parser.reset();
    expect(parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'))).toBe(MORE);
    expect(parser.end()).toBe(FAIL); // closed mid-body
  });
});

// --- against node:http ------------------------------------------------------------------------

const servers: (Server | NetServer)[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

async function listen<S extends Server | NetServer>(server: S): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A node:http server that checks each body (content-length matches, valid JSON) before `answer`. */
function checkingServer(answer: (req: IncomingMessage, res: ServerResponse, body: { id: number }) => void) {
  const seen = { requests: 0, badBodies: 0, ids: [] as number[], sockets: new Set<unknown>() };
  const server = createServer((req, res) => {
    seen.sockets.add(req.socket);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.requests++;
      const raw = Buffer.concat(chunks);
      let body: { id: number } = { id: -1 };
      try {
        if (Number(req.headers['content-length']) !== raw.length) throw new Error('length');
        body = JSON.parse(raw.toString('utf8')) as { id: number };
        seen.ids.push(body.id);
      } catch {
        seen.badBodies++;
      }
      answer(req, res, body);
    });
  });
  return { server, seen };
}

function bodies() {
  let id = 0;
  // Sizes vary from tiny to ~40 KB, with multi-byte characters (content-length counts bytes).
  return () => {
    id++;
    return JSON.stringify({ id, name: 'Zoë 🚀', pad: 'x'.repeat((id * 997) % 40_000) });
  };
}

describe('loadHttp against node:http', () => {
  it('sends exactly maxRequests requests, bodies intact, all counted', async () => {
    const { server, seen } = checkingServer((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, id: body.id }));
    });
    const url = await listen(server);
    const result = await loadHttp({ url: `${url}/webhooks/chargebee?x=1`, headers: { 'content-type': 'application/json', authorization: 'Basic eDp5' }, concurrency: 8, maxRequests: 500, nextBody: bodies() });
    expect(result).toMatchObject({ requests: 500, ok: 500, non2xx: 0, errors: 0, timeouts: 0, statuses: { 200: 500 } });
    expect(seen.requests).toBe(500);
    expect(seen.badBodies).toBe(0);
    expect(new Set(seen.ids).size).toBe(500);
    expect(seen.sockets.size).toBe(8); // keep-alive: one socket per connection
    expect(result.p50Ms).toBeGreaterThan(0);
    expect(result.maxMs).toBeGreaterThanOrEqual(result.p99Ms);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
  });

  it('sends the method, path and headers asked for', async () => {
    const got: { method?: string; url?: string; auth?: string; extra?: string; host?: string }[] = [];
    const server = createServer((req, res) => {
      got.push({ method: req.method, url: req.url, auth: req.headers.authorization, extra: req.headers['x-extra'] as string, host: req.headers.host });
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    const url = await listen(server);
    const result = await loadHttp({ url: `${url}/graphql`, method: 'GET', headers: { authorization: 'Bearer t', 'X-Extra': 'yes' }, concurrency: 2, maxRequests: 4 });
    expect(result.ok).toBe(4);
    expect(got).toHaveLength(4);
    expect(got[0]).toEqual({ method: 'GET', url: '/graphql', auth: 'Bearer t', extra: 'yes', host: url.slice('http://'.length) });
  });

  it('decodes chunked answers of any size', async () => {
    const { server, seen } = checkingServer((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // no content-length: chunked
      res.write('{"parts":[');
      const n = body.id % 7;
      for (let i = 0; i < n; i++) res.write(`${i ? ',' : ''}"${'y'.repeat(body.id * 37 % 9000)}"`);
      res.end(']}');
    });
    const url = await listen(server);
    const result = await loadHttp({ url, concurrency: 4, maxRequests: 300, nextBody: bodies() });
    expect(result).toMatchObject({ requests: 300, ok: 300, non2xx: 0, errors: 0, timeouts: 0 });
    expect(seen.requests).toBe(300);
    expect(seen.sockets.size).toBe(4);
  });

  it('reconnects when the server closes the connection (connection: close, early 401)', async () => {
    const { server, seen } = checkingServer((_req, res, body) => {
      if (body.id % 3 === 0) res.setHeader('connection', 'close');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    const url = await listen(server);
    const result = await loadHttp({ url, concurrency: 4, maxRequests: 300, nextBody: bodies() });
    expect(result).toMatchObject({ requests: 300, ok: 300, errors: 0, timeouts: 0 });
    expect(seen.badBodies).toBe(0);
    expect(seen.sockets.size).toBeGreaterThan(90);

    // Answers before the body is read (as an auth check or a size limit would), then closes.
    const early = createServer((req, res) => {
      const status = req.headers.authorization ? 413 : 401;
      res.writeHead(status, { connection: 'close', 'content-type': 'application/json' });
      res.end('{"error":"no"}');
      req.socket.destroySoon?.();
    });
    const earlyUrl = await listen(early);
    const refused = await loadHttp({ url: earlyUrl, concurrency: 3, maxRequests: 60, nextBody: bodies() });
    expect(refused).toMatchObject({ requests: 60, ok: 0, non2xx: 60, errors: 0, timeouts: 0, statuses: { 401: 60 } });
  });

  it('counts non-2xx answers by status', async () => {
    const { server } = checkingServer((_req, res, body) => {
      const status = body.id % 10 === 0 ? 500 : body.id % 10 === 1 ? 404 : 202;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const url = await listen(server);
    const result = await loadHttp({ url, concurrency: 1, maxRequests: 100, nextBody: bodies() });
    expect(result).toMatchObject({ requests: 100, ok: 80, non2xx: 20, errors: 0, timeouts: 0, statuses: { 202: 80, 404: 10, 500: 10 } });
    expect(result.requestsPerSecond).toBeGreaterThan(0);
  });

  it('counts connections closed without an answer as errors, and unanswered requests as timeouts', async () => {
    let n = 0;
    const raw = createNetServer((socket: Socket) => {
      socket.on('data', () => {
        n++;
        if (n % 4 === 0) socket.destroy(); // no answer
        else if (n % 4 === 1) { /* never answers */ } else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
      socket.on('error', () => {});
    });
    const url = await listen(raw);
    const started = performance.now();
    const result = await loadHttp({ url, method: 'GET', concurrency: 1, maxRequests: 12, timeoutMs: 150 });
    expect(result).toMatchObject({ requests: 12, ok: 6, non2xx: 0, errors: 3, timeouts: 3 });
    expect(performance.now() - started).toBeGreaterThan(3 * 150);
  });

  it('counts refused connections as errors and still ends', async () => {
    const probe = createNetServer();
    const url = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    servers.splice(servers.indexOf(probe), 1);
    const result = await loadHttp({ url, concurrency: 2, maxRequests: 6, nextBody: () => '{}' });
    expect(result).toMatchObject({ requests: 6, ok: 0, errors: 6 });
  });

  it('runs for the time asked, awaiting and counting the requests in flight at the end', async () => {
    const { server, seen } = checkingServer((_req, res) => {
      setTimeout(() => res.end('{"ok":true}'), 20);
    });
    const url = await listen(server);
    const result = await loadHttp({ url, concurrency: 5, seconds: 0.5, nextBody: bodies() });
    expect(result.seconds).toBeGreaterThanOrEqual(0.5);
    expect(result.seconds).toBeLessThan(1.5);
    expect(result.ok).toBe(result.requests);
    expect(result.ok).toBe(seen.requests);
    expect(result.ok).toBeGreaterThan(50);
    expect(result.p50Ms).toBeGreaterThanOrEqual(15);
  });
});
