import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceProcess, sleep } from '../test/faults/support/service-process.js';
import { createPostgresDatabase, createSqliteDatabase, type BenchDatabase } from './support/databases.js';
import { formatTable, percentile, round, type Bench } from './support/types.js';

interface StartFigures {
  target: string;
  runs: number;
  /** Spawn → first /readyz 200, per run (ms). */
  readyMs: number[];
  medianReadyMs: number;
  /** RSS one second after ready, idle (MiB). */
  medianIdleRssMiB: number;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

interface Entry {
  /** Relative to the repository root (default src/main.ts). */
  entry?: string;
  /** false: compiled JavaScript, run by plain node. */
  tsx?: boolean;
}

async function startOnce(databaseUrl: string, entry: Entry): Promise<{ readyMs: number; rssMiB: number }> {
  const service = await ServiceProcess.create({ databaseUrl, ...entry });
  const t0 = performance.now();
  service.spawn();
  try {
    await service.waitReady(60_000, 5);
    const readyMs = performance.now() - t0;
    await sleep(1000);
    return { readyMs, rssMiB: (await service.rssBytes()) / 2 ** 20 };
  } finally {
    await service.stop();
  }
}

async function measure(target: string, runs: number, databaseUrl: string, entry: Entry = {}): Promise<StartFigures> {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await startOnce(databaseUrl, entry));
  return {
    target,
    runs,
    readyMs: samples.map((s) => round(s.readyMs, 0)),
    medianReadyMs: round(median(samples.map((s) => s.readyMs)), 0),
    medianIdleRssMiB: round(median(samples.map((s) => s.rssMiB)), 1),
  };
}

export const run: Bench = async ({ quick, postgresUrl }) => {
  const runs = quick ? 3 : 5;
  const databases: BenchDatabase[] = [];
  const figures: StartFigures[] = [];
  try {
    // Databases come migrated: this measures a restart, the common case.
    const sqlite = await createSqliteDatabase();
    databases.push(sqlite);
    figures.push(await measure('baseline: bare node:http server (node --import tsx)', runs, sqlite.url, { entry: 'bench/support/minimal-server.ts' }));
    figures.push(await measure('service on SQLite', runs, sqlite.url));
    let pg: BenchDatabase | null = null;
    if (postgresUrl) {
      pg = await createPostgresDatabase(postgresUrl, 'start');
      databases.push(pg);
      figures.push(await measure('service on PostgreSQL', runs, pg.url));
    }
    // What the Docker image runs: `npm run build`, then plain node on dist/ (no TypeScript on load).
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
    const compiled = { entry: 'dist/src/main.js', tsx: false };
    figures.push(await measure('service on SQLite, compiled (node dist/src/main.js)', runs, sqlite.url, compiled));
    if (pg) figures.push(await measure('service on PostgreSQL, compiled (node dist/src/main.js)', runs, pg.url, compiled));
  } finally {
    for (const db of databases) await db.drop();
  }
  const baseline = figures[0] as StartFigures;
  const withRatios = figures.map((f) => ({
    ...f,
    readyRatioVsBaseline: round(f.medianReadyMs / baseline.medianReadyMs, 2),
    rssRatioVsBaseline: round(f.medianIdleRssMiB / baseline.medianIdleRssMiB, 2),
  }));
  return {
    config: {
      runs, databases: 'already migrated (restart case)', process: 'node --import tsx <entry> (npm start), or node dist/src/main.js after npm run build (the Docker image), LOG_LEVEL=warn', readyPoll: '/readyz every 5 ms',
    },
    figures: withRatios,
    notes: [
      'The tsx rows include compiling TypeScript on load (its cache is warm after the first run), as with `npm start`.',
      'The compiled rows run what `npm run build` emits, as the Docker image does (`node dist/src/main.js`).',
    ],
    table: formatTable(
      ['target', 'median ready ms', 'runs ms', 'idle RSS MiB', 'ready ×', 'RSS ×'],
      withRatios.map((f) => [f.target, f.medianReadyMs, f.readyMs.join('/'), f.medianIdleRssMiB, f.readyRatioVsBaseline, f.rssRatioVsBaseline]),
    ),
  };
};
