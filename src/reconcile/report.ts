import type { ProgressSnapshot, RunSummary } from './types.js';

/** Text for the CLI: a one-line progress display and a summary table (pure, so it is tested directly). */

const int = (n: number) => n.toLocaleString('en-US');

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Remaining time from the read rate so far; null when there is nothing to go on. */
export function etaMs(p: ProgressSnapshot): number | null {
  if (p.expected === null || p.scanned === 0 || p.elapsedMs === 0) return null;
  const remaining = Math.max(0, p.expected - p.scanned);
  return (remaining / p.scanned) * p.elapsedMs;
}

export function formatProgress(p: ProgressSnapshot): string {
  const minutes = p.elapsedMs / 60_000;
  const rate = minutes > 0 ? p.apiCalls / minutes : 0;
  const eta = etaMs(p);
  return [
    `${p.mode} run ${p.runId}`,
    p.phase,
    `scanned ${int(p.scanned)}${p.expected !== null ? `/~${int(p.expected)}` : ''}`,
    `repairs ${int(p.repairs)}`,
    `${int(p.apiCalls)} calls (${rate.toFixed(0)}/min${p.rateLimited > 0 ? `, ${p.rateLimited} × 429` : ''})`,
    `elapsed ${formatDuration(p.elapsedMs)}`,
    eta !== null ? `ETA ${formatDuration(eta)}` : null,
  ].filter(Boolean).join(' · ');
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export function formatSummary(run: RunSummary): string {
  const entries = (r: Record<string, number | undefined>) => Object.entries(r).filter(([, v]) => (v ?? 0) > 0);
  const took = run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null;
  const rows: [string, string][] = [
    ['run', `${run.id}${run.resumed ? ' (resumed)' : ''}`],
    ['mode', `${run.mode}${run.dryRun ? ' (dry run: nothing written)' : ''}`],
    ['status', run.status],
    ['started', run.startedAt.toISOString()],
    ['duration', took === null ? '-' : formatDuration(took)],
    ...entries(run.scanned).map(([k, v]): [string, string] => [`scanned ${k}`, int(v ?? 0)]),
    ...entries(run.repairs).map(([k, v]): [string, string] => [`repairs ${k}`, int(v ?? 0)]),
    ['api calls', `${int(run.apiCalls)} (${int(run.rateLimited)} rate-limited)`],
    ['watermark', run.watermark === null ? '-' : new Date(run.watermark * 1000).toISOString()],
  ];
  if (run.error) rows.push(['error', run.error]);
  return table(rows);
}
