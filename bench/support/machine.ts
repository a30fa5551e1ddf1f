import { cpus, loadavg, release, totalmem } from 'node:os';
import pg from 'pg';
import Database from 'better-sqlite3';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  postgres: string | null;
  sqlite: string;
  /** 1-minute load average when the bench started: this machine is shared. */
  loadAverageAtStart: number;
}

/** What the figures were measured on. */
export async function describeMachine(postgresUrl: string | null): Promise<Machine> {
  let postgres: string | null = null;
  if (postgresUrl) {
    const client = new pg.Client({ connectionString: postgresUrl });
    try {
      await client.connect();
      postgres = ((await client.query<{ v: string }>('select version() as v')).rows[0]?.v ?? '').split(' on ')[0] ?? null;
    } catch {
      postgres = null;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const memory = new Database(':memory:');
  const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
  memory.close();
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    postgres,
    sqlite: `SQLite ${sqlite} (better-sqlite3)`,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
