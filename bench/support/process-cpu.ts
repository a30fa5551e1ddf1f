import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (user + system) of processes, read from /proc: where a webhook's cost goes, per process,
 * when the service, PostgreSQL and the load generator share the machine. Linux only; elsewhere
 * every reading is empty and the bench reports no split.
 */
export interface CpuReading {
  /** Seconds per group: `service` (the pid given), `postgres` (every process named postgres), `bench` (this process). */
  service: number;
  postgres: number;
  bench: number;
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

export function readCpu(servicePid: number | undefined): CpuReading {
  const reading: CpuReading = { service: 0, postgres: 0, bench: processTimes(String(process.pid))?.seconds ?? 0 };
  if (servicePid !== undefined) reading.service = processTimes(String(servicePid))?.seconds ?? 0;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return reading;
  }
  for (const pid of pids) {
    const times = processTimes(pid);
    if (times?.comm === 'postgres') reading.postgres += times.seconds;
  }
  return reading;
}

/** CPU microseconds per event of each group between two readings (PostgreSQL backends that exited in between are missed). */
export function cpuPerEvent(before: CpuReading, after: CpuReading, events: number): CpuReading {
  const per = (a: number, b: number) => (events > 0 ? Math.round(((b - a) * 1e6) / events) : 0);
  return { service: per(before.service, after.service), postgres: per(before.postgres, after.postgres), bench: per(before.bench, after.bench) };
}
