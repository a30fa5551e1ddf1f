import type { Machine } from './machine.js';

export interface BenchOptions {
  /** Shorter runs (smoke test of the bench itself; figures are noisier). */
  quick: boolean;
  /** Admin URL of the PostgreSQL server throwaway databases are created on (null: skip PostgreSQL). */
  postgresUrl: string | null;
  machine: Machine;
}

export interface BenchOutput {
  /** Settings the figures depend on (durations, concurrency, payload mix, service configuration). */
  config: Record<string, unknown>;
  /** One object per measured case. */
  figures: Record<string, unknown>[];
  /** Targets from issue 6 and whether this run met them. */
  targets?: Record<string, unknown>[];
  notes?: string[];
  /** Lines printed as the table. */
  table: string[];
}

/** A bench module (bench/<name>.ts) exports `run`. */
export type Bench = (options: BenchOptions) => Promise<BenchOutput>;

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A fixed-width text table. */
export function formatTable(header: string[], rows: (string | number)[][]): string[] {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
