import { createServer } from 'node:http';

/**
 * The start-up baseline: a bare Node HTTP server answering /readyz, loaded the same way as the
 * service (node --import tsx). What the service adds on top is ORM, migrations check, GraphQL schema.
 */
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"status":"ready"}');
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
