import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';

/**
 * The GraphQL comparison: PostGraphile v5 (amber preset, no plugins) serving the service's tables
 * (DATABASE_URL) on PORT, with a pool as large as the service's (DATABASE_POOL_MAX, default 10).
 * Relations come from `@foreignKey` smart-tag comments and net revenue from a computed-column
 * function that bench/support/graphql-seed.ts adds; answers GET /readyz like the service.
 */
const pool = Number(process.env.DATABASE_POOL_MAX ?? 10);
const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  // Conditions on unindexed columns too (`deleted`), as the service filters on them.
  disablePlugins: ['PgIndexBehaviorsPlugin'],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['public'], poolConfig: { max: pool } })],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
await pgl.getSchema();
const handle = serv.createHandler();
const server = createServer((req, res) => {
  if (req.url === '/readyz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ready"}');
    return;
  }
  handle(req, res);
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  void Promise.resolve(pgl.release()).then(() => process.exit(0));
});
