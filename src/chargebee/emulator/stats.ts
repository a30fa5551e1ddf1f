// Request accounting, so tests can assert how a client behaved on the wire
// (e.g. "never more than N requests in any W ms").

export interface RequestLogEntry {
  /** Arrival time, ms since epoch (real time). */
  at: number;
  method: string;
  /** Path without the query string, e.g. /api/v2/customers */
  path: string;
  /** Final status; 0 while pending or when the request was hung up on. */
  status: number;
}

export interface StatsSnapshot {
  totalRequests: number;
  byPath: Record<string, number>;
  byStatus: Record<string, number>;
  rateLimited: number;
  injectedFailures: number;
  injectedTimeouts: number;
}

export interface WindowFilter {
  /** Count only paths starting with this. */
  pathPrefix?: string;
  /** Count 429-rejected requests too (default true: they were still sent by the client). */
  includeRejected?: boolean;
}

export class Stats {
  readonly log: RequestLogEntry[] = [];
  private byPath = new Map<string, number>();
  rateLimited = 0;
  injectedFailures = 0;
  injectedTimeouts = 0;

  begin(method: string, path: string, at = Date.now()): RequestLogEntry {
    const entry: RequestLogEntry = { at, method, path, status: 0 };
    this.log.push(entry);
    this.byPath.set(path, (this.byPath.get(path) ?? 0) + 1);
    return entry;
  }

  snapshot(): StatsSnapshot {
    const byStatus: Record<string, number> = {};
    for (const e of this.log) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    return {
      totalRequests: this.log.length,
      byPath: Object.fromEntries(this.byPath),
      byStatus,
      rateLimited: this.rateLimited,
      injectedFailures: this.injectedFailures,
      injectedTimeouts: this.injectedTimeouts,
    };
  }

  /** Largest number of requests whose arrival times fall inside one half-open window [t, t + windowMs). */
  maxRequestsInAnyWindow(windowMs: number, filter: WindowFilter = {}): number {
    const times = this.log
      .filter((e) => (filter.pathPrefix === undefined || e.path.startsWith(filter.pathPrefix)) && (filter.includeRejected !== false || e.status !== 429))
      .map((e) => e.at)
      .sort((a, b) => a - b);
    let best = 0;
    let left = 0;
    for (let right = 0; right < times.length; right++) {
      while (times[right] - times[left] >= windowMs) left++;
      best = Math.max(best, right - left + 1);
    }
    return best;
  }

  reset(): void {
    this.log.length = 0;
    this.byPath.clear();
    this.rateLimited = 0;
    this.injectedFailures = 0;
    this.injectedTimeouts = 0;
  }
}
