import { describe, expect, it } from 'vitest';
import { cpuPerEvent, readCpu, type CpuSnapshot } from '../../bench/support/process-cpu.js';

const snapshot = (groups: { service: number; bench: number }, postgres: Record<string, number>): CpuSnapshot =>
  ({ ...groups, postgresByPid: new Map(Object.entries(postgres)) });

describe('cpuPerEvent', () => {
  it('sums PostgreSQL per process: a backend that exited in between is missed, never subtracted', () => {
    // pid 10 ran the previous level and exited; 11 lived through the window; 12 started in it.
    const before = snapshot({ service: 1, bench: 2 }, { 10: 5, 11: 1 });
    const after = snapshot({ service: 1.5, bench: 2.1 }, { 11: 1.2, 12: 0.3 });
    expect(cpuPerEvent(before, after, 1000)).toEqual({ service: 500, postgres: 500, bench: 100 });
  });

  it('answers 0 per event when no event was counted', () => {
    const reading = snapshot({ service: 1, bench: 1 }, { 11: 1 });
    expect(cpuPerEvent(reading, snapshot({ service: 2, bench: 2 }, { 11: 2 }), 0)).toEqual({ service: 0, postgres: 0, bench: 0 });
  });

  it('reads this process from /proc on Linux', () => {
    const reading = readCpu(process.pid);
    if (process.platform !== 'linux') return;
    expect(reading.bench).toBeGreaterThan(0);
    // The same process read twice, a moment apart (100 ticks a second).
    expect(Math.abs(reading.service - reading.bench)).toBeLessThan(0.1);
  });
});
