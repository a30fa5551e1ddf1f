// Rate limiting and runtime fault injection for /api/v2 requests.
// Uses real time (not the emulator clock): limits are about wall-clock traffic.

export interface RateLimitOptions {
  /** Max admitted requests per window. */
  limit: number;
  windowMs: number;
  /** Send a Retry-After header (whole seconds) with 429s. Default true. */
  retryAfter?: boolean;
  /** 'sliding' (default) counts the last windowMs; 'fixed' resets at multiples of windowMs. */
  mode?: 'sliding' | 'fixed';
}

export interface FaultSettings {
  /** The next N API requests answer `failStatus` with a Chargebee-shaped error. */
  failNext?: number;
  failStatus?: 500 | 502 | 503 | 504;
  /** Added delay before every API request is handled. */
  latencyMs?: number;
  /** The next N API requests never get an answer (the client must time out). */
  timeoutNext?: number;
  /** Hung requests have their socket destroyed after this many ms; default: only when the client gives up or the emulator closes. */
  hangMs?: number | null;
  /** Replace (or with null remove) the rate limit. */
  rateLimit?: RateLimitOptions | null;
  /** Restrict failNext/timeoutNext/latency to API paths starting with this (e.g. '/events'); null = all. */
  pathPrefix?: string | null;
}

export interface FaultState {
  failNext: number;
  failStatus: 500 | 502 | 503 | 504;
  latencyMs: number;
  timeoutNext: number;
  hangMs: number | null;
  rateLimit: RateLimitOptions | null;
  pathPrefix: string | null;
}

export type Decision =
  | { action: 'ok'; latencyMs: number }
  | { action: 'fail'; latencyMs: number; status: number }
  | { action: 'hang'; latencyMs: number; hangMs: number | null };

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number | null };

export class RateLimiter {
  private admitted: number[] = [];
  private windowStart = 0;
  private count = 0;

  constructor(readonly opts: RateLimitOptions) {
    if (!(opts.limit >= 1) || !(opts.windowMs > 0)) throw new RangeError('rateLimit needs limit >= 1 and windowMs > 0');
  }

  admit(now: number): Admission {
    const { limit, windowMs } = this.opts;
    let retryMs: number;
    if (this.opts.mode === 'fixed') {
      const start = Math.floor(now / windowMs) * windowMs;
      if (start !== this.windowStart) {
        this.windowStart = start;
        this.count = 0;
      }
      if (this.count < limit) {
        this.count += 1;
        return { ok: true };
      }
      retryMs = start + windowMs - now;
    } else {
      while (this.admitted.length > 0 && this.admitted[0] <= now - windowMs) this.admitted.shift();
      if (this.admitted.length < limit) {
        this.admitted.push(now);
        return { ok: true };
      }
      retryMs = this.admitted[0] + windowMs - now;
    }
    const retryAfterSeconds = this.opts.retryAfter === false ? null : Math.max(1, Math.ceil(retryMs / 1000));
    return { ok: false, retryAfterSeconds };
  }
}

const INITIAL: FaultState = {
  failNext: 0,
  failStatus: 500,
  latencyMs: 0,
  timeoutNext: 0,
  hangMs: null,
  rateLimit: null,
  pathPrefix: null,
};

export class Faults {
  private s: FaultState = { ...INITIAL };
  private limiter: RateLimiter | null = null;

  constructor(rateLimit?: RateLimitOptions) {
    if (rateLimit) this.set({ rateLimit });
  }

  /** Merges the given settings into the current ones; omitted keys stay as they are. */
  set(settings: FaultSettings): FaultState {
    const next: FaultState = { ...this.s };
    if (settings.failNext !== undefined) next.failNext = nonNegative('failNext', settings.failNext);
    if (settings.failStatus !== undefined) next.failStatus = settings.failStatus;
    if (settings.latencyMs !== undefined) next.latencyMs = nonNegative('latencyMs', settings.latencyMs);
    if (settings.timeoutNext !== undefined) next.timeoutNext = nonNegative('timeoutNext', settings.timeoutNext);
    if (settings.hangMs !== undefined) next.hangMs = settings.hangMs;
    if (settings.pathPrefix !== undefined) next.pathPrefix = settings.pathPrefix;
    if (settings.rateLimit !== undefined) {
      // A new limit starts with an empty window.
      this.limiter = settings.rateLimit ? new RateLimiter(settings.rateLimit) : null;
      next.rateLimit = settings.rateLimit ? { ...settings.rateLimit } : null;
    }
    this.s = next;
    return this.state();
  }

  /** Removes every fault and the rate limit. */
  clear(): void {
    this.s = { ...INITIAL };
    this.limiter = null;
  }

  state(): FaultState {
    return { ...this.s, rateLimit: this.s.rateLimit ? { ...this.s.rateLimit } : null };
  }

  /** Consumes one unit of failNext/timeoutNext when the path is targeted. */
  decide(apiPath: string): Decision {
    const targeted = this.s.pathPrefix === null || apiPath.startsWith(this.s.pathPrefix);
    const latencyMs = targeted ? this.s.latencyMs : 0;
    if (targeted && this.s.timeoutNext > 0) {
      this.s.timeoutNext -= 1;
      return { action: 'hang', latencyMs, hangMs: this.s.hangMs };
    }
    if (targeted && this.s.failNext > 0) {
      this.s.failNext -= 1;
      return { action: 'fail', latencyMs, status: this.s.failStatus };
    }
    return { action: 'ok', latencyMs };
  }

  admit(now: number): Admission {
    return this.limiter ? this.limiter.admit(now) : { ok: true };
  }
}

function nonNegative(name: string, n: number): number {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`${name} must be a non-negative number`);
  return Math.floor(n);
}
