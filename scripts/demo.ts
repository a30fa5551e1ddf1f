/** `npm run demo`: the service on SQLite with the Chargebee emulator, webhooks with faults, a repairing reconcile. */
import { runDemo, demoQueries } from '../src/demo/run-demo.js';

const port = Number(process.env.PORT ?? 4000);
const demo = await runDemo({ port, databasePath: './data/demo.sqlite', print: (line) => console.log(line) });
console.log(demoQueries(demo.app.url));
if (process.argv.includes('--exit')) {
  await demo.close();
} else {
  const stop = () => {
    demo.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
