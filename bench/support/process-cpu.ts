import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (user + system) of processes, read from /proc: where a webhook's cost goes, per process,
 * when the service, PostgreSQL and the load generator share the machine. Linux only; elsewhere
 * every reading is empty and the bench reports no split.
 */
export interface CpuReading {
  /** CPU µs per event of each group (cpuPerEvent): `service` (the pid given), `postgres` (every process named postgres), `bench` (this process). */
  service: number;
  postgres: number;
  bench: number;
}

/** A reading: the service's and this process's seconds, and each PostgreSQL process's own (see cpuPerEvent). */
export interface CpuSnapshot {
  service: number;
  bench: number;
  postgresByPid: Map<string, number>;
}

const ticksPerSecond = 100;

function processTimes(pid: string): { comm: string; seconds: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after pid and comm are cut off (0-based 11, 12).
    return { comm, seconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond };
  } catch {
    return null; // gone, or no /proc
  }
}

export function readCpu(servicePid: number | undefined): CpuSnapshot {
  const reading: CpuSnapshot = { service: 0, bench: processTimes(String(process.pid))?.seconds ?? 0, postgresByPid: new Map() };
  if (servicePid !== undefined) reading.service = processTimes(String(servicePid))?.seconds ?? 0;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return reading;
  }
  for (const pid of pids) {
    const times = processTimes(pid);
    if (times?.comm === 'postgres') reading.postgresByPid.set(pid, times.seconds);
  }
  return reading;
}

/**
 * CPU microseconds per event of each group between two readings. PostgreSQL's is summed per
 * process: one that started in between counts whole, one that exited in between is missed (its
 * time since `before` is unknown). Subtracting the two totals instead took away all the CPU of a
 * backend that exited in between: the webhook bench's baseline ran while the idle service's pool
 * closed its connections (node-postgres closes an idle one after 10 s), and showed 64 µs of
 * PostgreSQL CPU per event at concurrency 1 (once −163) instead of ~530.
 */
export function cpuPerEvent(before: CpuSnapshot, after: CpuSnapshot, events: number): CpuReading {
  const per = (seconds: number) => (events > 0 ? Math.round((seconds * 1e6) / events) : 0);
  let postgres = 0;
  for (const [pid, seconds] of after.postgresByPid) postgres += Math.max(0, seconds - (before.postgresByPid.get(pid) ?? 0));
  return { service: per(after.service - before.service), postgres: per(postgres), bench: per(after.bench - before.bench) };
}
