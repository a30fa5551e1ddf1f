import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './support/machine.js';
import type { Bench } from './support/types.js';

/**
 * `npm run bench [-- name ...] [--quick]`: runs bench/<name>.ts (all of them when no name is given),
 * writes bench/results/<name>.json and prints a table per bench.
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is the admin
 * connection throwaway databases are created on; BENCH_DATABASE_URL=none skips PostgreSQL.
 */
const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts')).map((f) => f.slice(0, -3)).sort();
const requested = args.filter((a) => !a.startsWith('--'));
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (available: ${available.join(', ')})`);
  process.exit(2);
}
const names = requested.length > 0 ? requested : available;
const configuredUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const postgresUrl = configuredUrl === 'none' ? null : configuredUrl;

const machine = await describeMachine(postgresUrl);
if (postgresUrl && machine.postgres === null) {
  console.error(`PostgreSQL at ${postgresUrl} is not reachable; set BENCH_DATABASE_URL=none to bench SQLite only`);
  process.exit(2);
}
console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, ${machine.postgres ?? 'no PostgreSQL'}, ${machine.sqlite}, load ${machine.loadAverageAtStart}`);

let failed = false;
for (const name of names) {
  const started = Date.now();
  console.log(`\n== ${name}${quick ? ' (quick)' : ''}`);
  try {
    const module = (await import(`./${name}.js`)) as { run?: Bench };
    if (typeof module.run !== 'function') throw new Error(`bench/${name}.ts exports no run()`);
    const output = await module.run({ quick, postgresUrl, machine });
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const { table, ...rest } = output;
    const result = {
      name,
      command: `npm run bench -- ${name}${quick ? ' --quick' : ''}`,
      measuredAt: new Date(started).toISOString(),
      wallSeconds: seconds,
      quick,
      machine,
      ...rest,
    };
    mkdirSync(join(here, 'results'), { recursive: true });
    const file = join(here, 'results', `${name}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(table.join('\n'));
    for (const t of output.targets ?? []) console.log(`target ${t.met ? 'MET   ' : 'MISSED'} ${String(t.target)}`);
    console.log(`(${seconds} s; written ${file})`);
  } catch (error) {
    failed = true;
    console.error(`bench ${name} failed:`, error);
  }
}
process.exit(failed ? 1 : 0);
