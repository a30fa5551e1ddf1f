// Emulator time source. Resource timestamps (created_at, updated_at,
// resource_version, occurred_at) come from here so tests can pin or move time;
// rate limiting and request stats deliberately use real time instead.

export interface ClockState {
  nowMs: number;
  nowSeconds: number;
  frozen: boolean;
}

export class Clock {
  private offsetMs = 0;
  private fixedMs: number | null = null;

  nowMs(): number {
    return this.fixedMs ?? Date.now() + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Jump to `ms`. Frozen (default) keeps time still until moved again; otherwise time keeps running from there. */
  set(ms: number, opts: { frozen?: boolean } = {}): void {
    if (!Number.isFinite(ms)) throw new TypeError('clock time must be a finite number of ms');
    if (opts.frozen === false) {
      this.fixedMs = null;
      this.offsetMs = ms - Date.now();
    } else {
      this.fixedMs = ms;
    }
  }

  advance(ms: number): void {
    if (this.fixedMs !== null) this.fixedMs += ms;
    else this.offsetMs += ms;
  }

  /** Back to the wall clock. */
  real(): void {
    this.fixedMs = null;
    this.offsetMs = 0;
  }

  state(): ClockState {
    return { nowMs: this.nowMs(), nowSeconds: this.nowSeconds(), frozen: this.fixedMs !== null };
  }
}
