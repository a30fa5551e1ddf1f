import { ServiceProcess } from '../test/faults/support/service-process.js';
import { createPostgresDatabase, createSqliteDatabase, type BenchDatabase } from './support/databases.js';
import { NodeProcess, node22 } from './support/node22.js';
import { preparePostGraphile, seedPostgres, seedSqlite, type SeedSizes } from './support/graphql-seed.js';
import { loadHttp } from './support/http-loader.js';
import { formatTable, round, type Bench } from './support/types.js';

/**
 * GraphQL reads (issue 6, item 2): the service's customers page and filtered subscriptions page at
 * concurrency 10, against graphql-yoga answering `{ __typename }` in the same service (the framework
 * ceiling) and PostGraphile v5 serving the same PostgreSQL tables with the equivalent queries.
 */
const concurrency = 10;
const token = 'bench-reader-token-0123456789';
const apiTokens = `bench:reader:${token}`;

const serviceQueries = {
  typename: '{ __typename }',
  customers: `query CustomersPage { customers(first: 50) { nodes { id chargebeeId email partner { partnerKey }
    subscriptions { id status planKey } netRevenue { currency amount } } } }`,
  subscriptions: `query ActiveBasicSubscriptions { subscriptions(first: 50, filter: { status: ["active"], planKey: "basic" }) {
    nodes { id chargebeeId status planKey mrr { currency amount } customer { chargebeeId email } } } }`,
};
// The same selections in PostGraphile's amber-preset schema (the table `subscription` is renamed
// chargebee_subscription by a smart tag: `Subscription` is GraphQL's root type name; `id` is the global
// id and `rowId` the column): `condition` is its equality filter; deleted
// rows are excluded explicitly (the service excludes them by default); the partner is the partnerKey column.
const postgraphileQueries = {
  typename: '{ __typename }',
  customers: `query CustomersPage { allCustomers(first: 50, orderBy: PRIMARY_KEY_ASC, condition: { deleted: false }) { nodes { id rowId email partnerKey
    chargebeeSubscriptionsByCustomerId(orderBy: PRIMARY_KEY_ASC, condition: { deleted: false }) { nodes { id rowId status planKey } }
    netRevenue { nodes { currency amount } } } } }`,
  subscriptions: `query ActiveBasicSubscriptions { allChargebeeSubscriptions(first: 50, orderBy: PRIMARY_KEY_ASC,
    condition: { status: "active", planKey: "basic", deleted: false }) {
    nodes { id rowId status planKey mrr currency customerByCustomerId { rowId email } } } }`,
};
type QueryName = keyof typeof serviceQueries;

interface Target {
  label: string;
  server: 'service' | 'postgraphile';
  engine: 'postgresql' | 'sqlite';
  url: string;
  authorization: string | null;
  queries: Record<QueryName, string>;
}

interface Figures {
  server: Target['server'];
  engine: Target['engine'];
  query: QueryName;
  round: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  failures: number;
  responseBytes: number;
}

async function post(target: Target, query: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${target.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(target.authorization ? { authorization: target.authorization } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, text: await res.text() };
}

/** One request before the load: no errors, a full page (so the load measures real answers); returns its ids. */
async function check(target: Target, name: QueryName): Promise<{ bytes: number; ids: string[] }> {
  const { status, text } = await post(target, target.queries[name]);
  const body = JSON.parse(text) as { data?: Record<string, { nodes?: { chargebeeId?: string; rowId?: string; id?: string }[] }>; errors?: unknown[] };
  if (status !== 200 || body.errors) throw new Error(`${target.label} ${name}: HTTP ${status} ${text.slice(0, 500)}`);
  const nodes = body.data ? Object.values(body.data)[0]?.nodes : undefined;
  if (name !== 'typename' && nodes?.length !== 50) throw new Error(`${target.label} ${name}: expected 50 nodes, got ${nodes?.length}: ${text.slice(0, 300)}`);
  return { bytes: Buffer.byteLength(text), ids: (nodes ?? []).map((n) => String(n.chargebeeId ?? n.rowId ?? n.id)) };
}

async function load(target: Target, name: QueryName, seconds: number): Promise<Omit<Figures, 'round' | 'responseBytes'>> {
  const body = JSON.stringify({ query: target.queries[name] });
  const result = await loadHttp({
    url: `${target.url}/graphql`,
    concurrency,
    seconds,
    timeoutMs: 30_000,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(target.authorization ? { authorization: target.authorization } : {}) },
    nextBody: () => body,
  });
  return {
    server: target.server,
    engine: target.engine,
    query: name,
    seconds: round(result.seconds, 2),
    requests: result.ok,
    requestsPerSecond: round(result.requestsPerSecond, 0),
    p50Ms: round(result.p50Ms, 1),
    p99Ms: round(result.p99Ms, 1),
    maxMs: round(result.maxMs, 1),
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

async function measure(target: Target, name: QueryName, round: number, seconds: number, warmup: number): Promise<Figures> {
  const { bytes } = await check(target, name);
  await load(target, name, warmup);
  const figures = { ...(await load(target, name, seconds)), round, responseBytes: bytes };
  await check(target, name); // still answering correctly after the load
  console.log(`  ${target.label} ${name} (round ${round}): ${figures.requestsPerSecond} req/s p50 ${figures.p50Ms} ms p99 ${figures.p99Ms} ms fail ${figures.failures}`);
  return figures;
}

const serviceEnv = { BENCH_API_TOKENS: apiTokens, NODE_ENV: 'production', GRAPHIQL: 'false', RECONCILE_IN_SERVER: 'false' };

export const run: Bench = async ({ quick, postgresUrl }) => {
  const seconds = quick ? 3 : 8;
  const warmup = quick ? 1 : 2;
  const rounds = quick ? 1 : 2;
  const sizes: SeedSizes = { customers: 100_000, subscriptions: 150_000, transactions: 200_000 };
  const figures: Figures[] = [];
  const seeding: Record<string, number> = {};
  const databases: BenchDatabase[] = [];
  const processes: { stop(): Promise<void> }[] = [];
  let postgraphileSkipped: string | null = null;
  let postgraphileNode: string | null = null;
  const agreement: Record<string, boolean> = {};
  try {
    if (postgresUrl) {
      const db = await createPostgresDatabase(postgresUrl, 'gql');
      databases.push(db);
      seeding.postgresqlMs = round(await seedPostgres(db.url, sizes), 0);
      await preparePostGraphile(db.url);
      console.log(`  seeded PostgreSQL in ${seeding.postgresqlMs} ms`);
      const service = await ServiceProcess.create({ databaseUrl: db.url, entry: 'bench/support/service-with-tokens.ts', env: serviceEnv });
      processes.push(service);
      await service.start(60_000);
      const svc: Target = { label: 'service/pg', server: 'service', engine: 'postgresql', url: service.url, authorization: `Bearer ${token}`, queries: serviceQueries };
      let pgl: Target | null = null;
      // PostGraphile v5 (every release, grafast included) requires Node >= 22; on Node 20 every
      // connection field fails with "Cannot read properties of undefined (reading 'items')". Under an
      // older node it runs on a Node 22 binary from the npm registry (bench/support/node22.ts).
      const node = await node22();
      let postgraphile: NodeProcess | null = null;
      try {
        if ('skipped' in node) throw new Error(`PostGraphile v5 requires Node >= 22; this is Node ${process.versions.node} and ${node.skipped}`);
        postgraphileNode = node.version;
        postgraphile = await NodeProcess.create({ node: node.path, entry: 'bench/support/postgraphile-server.ts', env: { DATABASE_URL: db.url, NODE_ENV: 'production' } });
        processes.push(postgraphile);
        await postgraphile.start(60_000);
        pgl = { label: 'postgraphile', server: 'postgraphile', engine: 'postgresql', url: postgraphile.url, authorization: null, queries: postgraphileQueries };
        for (const name of ['customers', 'subscriptions'] as const) {
          const [a, b] = [await check(svc, name), await check(pgl, name)];
          agreement[name] = a.ids.join() === b.ids.join();
        }
      } catch (error) {
        const output = postgraphile && (postgraphile.alive || postgraphile.exitInfo) ? `; its output: ${postgraphile.tail(10).slice(0, 1500)}` : '';
        postgraphileSkipped = `PostGraphile not measured: ${(error as Error).message.slice(0, 400)}${output}`;
        console.log(`  ${postgraphileSkipped}`);
        pgl = null;
      }
      // Rounds alternate the two servers per query, so drift in the shared machine's load hits both.
      for (let r = 1; r <= rounds; r++) {
        for (const name of ['typename', 'customers', 'subscriptions'] as const) {
          figures.push(await measure(svc, name, r, seconds, warmup));
          if (pgl) figures.push(await measure(pgl, name, r, seconds, warmup));
        }
      }
      for (const p of processes.splice(0)) await p.stop();
    }
    const sqlite = await createSqliteDatabase();
    databases.push(sqlite);
    seeding.sqliteMs = round(seedSqlite(sqlite.path as string, sizes), 0);
    console.log(`  seeded SQLite in ${seeding.sqliteMs} ms`);
    const service = await ServiceProcess.create({ databaseUrl: sqlite.url, entry: 'bench/support/service-with-tokens.ts', env: serviceEnv });
    processes.push(service);
    await service.start(60_000);
    const svc: Target = { label: 'service/sqlite', server: 'service', engine: 'sqlite', url: service.url, authorization: `Bearer ${token}`, queries: serviceQueries };
    for (let r = 1; r <= rounds; r++) {
      for (const name of ['typename', 'customers', 'subscriptions'] as const) figures.push(await measure(svc, name, r, seconds, warmup));
    }
  } finally {
    for (const p of processes) await p.stop();
    for (const db of databases) await db.drop();
  }

  // Per (server, engine, query): the round with the most req/s (the machine is shared; all rounds are kept).
  const best = new Map<string, Figures>();
  for (const f of figures) {
    const key = `${f.server}/${f.engine}/${f.query}`;
    const current = best.get(key);
    if (!current || f.requestsPerSecond > current.requestsPerSecond) best.set(key, f);
  }
  const get = (server: string, engine: string, query: QueryName) => best.get(`${server}/${engine}/${query}`);
  const ceiling = get('service', 'postgresql', 'typename') ?? get('service', 'sqlite', 'typename');
  const rows = [...best.values()].map((f) => {
    const pgl = get('postgraphile', 'postgresql', f.query);
    return {
      ...f,
      rounds: figures.filter((o) => o.server === f.server && o.engine === f.engine && o.query === f.query)
        .map((o) => ({ round: o.round, requestsPerSecond: o.requestsPerSecond, p50Ms: o.p50Ms, p99Ms: o.p99Ms, failures: o.failures })),
      vsYogaCeiling: ceiling ? round(f.requestsPerSecond / ceiling.requestsPerSecond, 2) : null,
      vsPostGraphile: f.server === 'service' && f.engine === 'postgresql' && pgl ? round(f.requestsPerSecond / pgl.requestsPerSecond, 2) : null,
    };
  });
  const targets: Record<string, unknown>[] = [];
  for (const engine of ['postgresql', 'sqlite'] as const) {
    for (const query of ['customers', 'subscriptions'] as const) {
      const f = get('service', engine, query);
      if (!f) continue;
      const pgl = get('postgraphile', 'postgresql', query);
      if (engine === 'postgresql') {
        targets.push(pgl
          ? { target: `PostgreSQL ${query}: req/s >= PostGraphile's (${f.requestsPerSecond} vs ${pgl.requestsPerSecond})`, ratio: round(f.requestsPerSecond / pgl.requestsPerSecond, 2), met: f.requestsPerSecond >= pgl.requestsPerSecond }
          : { target: `PostgreSQL ${query}: req/s >= PostGraphile's (PostGraphile not measured)`, met: false });
      }
      targets.push({ target: `${engine} ${query}: p99 <= 50 ms (${f.p99Ms} ms)`, p99Ms: f.p99Ms, met: f.p99Ms <= 50 && f.failures === 0 });
    }
  }
  return {
    config: {
      measureSeconds: seconds,
      warmupSeconds: warmup,
      rounds,
      concurrency,
      data: { ...sizes, partners: 500, planMappings: 2, note: 'set-based SQL inserts after the service migrations (bench/support/graphql-seed.ts)' },
      seedingMs: seeding,
      queries: { service: serviceQueries, postgraphile: postgraphileQueries },
      service: 'child process: node --import tsx src/main.ts (via bench/support/service-with-tokens.ts), NODE_ENV=production, API_TOKENS with one reader token, LOG_LEVEL=warn, DATABASE_POOL_MAX 10',
      postgraphile: 'child process: PostGraphile v5 (amber preset, grafserv node adapter, NODE_ENV=production, pool 10) on the same database; @foreignKey smart-tag comments for the relations and a customer_net_revenue(customer) SQL function for net revenue',
      postgraphileNode: postgraphileNode ?? 'not run',
      loader: 'bench/support/http-loader.ts in the bench process (closed loop, half the CPU per request of autocannon), POST application/json, keep-alive connections = 10, no pipelining',
      samePageIds: agreement,
    },
    figures: rows,
    targets,
    notes: [
      'Loader, server and PostgreSQL share the 2 cores; a figure is the best of the rounds (every round is listed under `rounds`).',
      'PostGraphile runs without authentication (the service checks a Bearer token on every request) and without the service\'s depth/complexity limits.',
      'PostGraphile\'s partner is the partnerKey column (the service resolves a Partner object); its status filter is equality (no list filter without a plugin).',
      ...(postgraphileSkipped ? [postgraphileSkipped] : []),
      ...(quick ? ['--quick: one round of 3 s per case (same data sizes); figures are noisier.'] : []),
    ],
    table: formatTable(
      ['server', 'engine', 'query', 'req/s', 'p50 ms', 'p99 ms', 'fail', 'bytes', '× yoga ceiling', '× PostGraphile'],
      rows.map((f) => [f.server, f.engine, f.query, f.requestsPerSecond, f.p50Ms, f.p99Ms, f.failures, f.responseBytes,
        f.vsYogaCeiling ?? '-', f.vsPostGraphile ?? '-']),
    ),
  };
};
