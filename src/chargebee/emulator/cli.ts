// Standalone emulator for demos and benchmarks driven from another process:
//   npx tsx src/chargebee/emulator/cli.ts --port 8787 --api-key test_key \
//     [--rate-limit 150/60000] [--no-retry-after] [--seed-customers 1000]
// Prints one JSON line with the url and SDK config, then serves until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'api-key': { type: 'string', default: 'test_emulator_key' },
    site: { type: 'string', default: 'emulator' },
    'rate-limit': { type: 'string' },
    'no-retry-after': { type: 'boolean', default: false },
    'seed-customers': { type: 'string' },
  },
});

function parseRateLimit(text: string | undefined): { limit: number; windowMs: number; retryAfter: boolean } | undefined {
  if (!text) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) throw new Error('--rate-limit must look like <limit>/<windowMs>, e.g. 150/60000');
  return { limit: Number(m[1]), windowMs: Number(m[2]), retryAfter: !values['no-retry-after'] };
}

const emu = await startEmulator({
  apiKey: values['api-key'],
  site: values.site,
  port: Number(values.port),
  rateLimit: parseRateLimit(values['rate-limit']),
});
if (values['seed-customers']) emu.seed({ customers: Number(values['seed-customers']), subscriptionsPerCustomer: 1 });
process.stdout.write(`${JSON.stringify({ url: emu.url, control: `${emu.url}/__emulator`, sdk: emu.sdkConfig() })}\n`);

const stop = (): void => {
  void emu.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
