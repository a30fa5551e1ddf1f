/**
 * Client-side request budget: at most `limit` requests in any window of `windowMs`, and at most
 * `concurrency` in flight.
 *
 * A request holds its slot from the moment it is sent until `windowMs` after its answer arrived.
 * The server sees a request somewhere between those two instants, so two requests sharing a slot
 * always reach it at least `windowMs` apart: the budget holds on the server's clock too, whatever
 * the network latency, without a guessed safety margin. Retries and requests answered 429 count.
 */
export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
  concurrency: number;
  now?: () => number;
}

interface Slot {
  /** When the answer (or the timeout) came; null while in flight. */
  doneAt: number | null;
}

export class RateLimiter {
  /** Slots in the order they were taken (so roughly by answer time too). */
  private slots: Slot[] = [];
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(readonly options: RateLimiterOptions) {
    if (!(options.limit >= 1) || !(options.windowMs > 0) || !(options.concurrency >= 1)) {
      throw new RangeError('rate limiter needs limit >= 1, windowMs > 0, concurrency >= 1');
    }
    this.now = options.now ?? Date.now;
  }

  /** Waits for a free slot and runs `send` in it. */
  async run<T>(send: () => Promise<T>): Promise<T> {
    const slot = await this.acquire();
    try {
      return await send();
    } finally {
      slot.doneAt = this.now();
      this.inFlight -= 1;
      this.wake();
    }
  }

  /** Requests counted against the budget right now (in flight or answered within the window). */
  inUse(): number {
    this.expire(true);
    return this.slots.length;
  }

  private async acquire(): Promise<Slot> {
    // A woken waiter keeps its place at the head of the queue, so requests are served in order.
    let woken = false;
    for (;;) {
      // Exactly only when the budget is what decides; otherwise answered slots leave from the front.
      this.expire(this.slots.length >= this.options.limit);
      const hasRoom = this.slots.length < this.options.limit && this.inFlight < this.options.concurrency;
      if (hasRoom && (woken || this.waiters.length === 0)) {
        const slot: Slot = { doneAt: null };
        this.slots.push(slot);
        this.inFlight += 1;
        if (this.waiters.length > 0) this.wake(); // there may be room for the next one too
        return slot;
      }
      await new Promise<void>((resolve) => {
        if (woken) this.waiters.unshift(resolve);
        else this.waiters.push(resolve);
        this.schedule();
      });
      woken = true;
    }
  }

  /**
   * Drops the slots whose answer left the window. The cheap pass stops at the first slot still
   * counted (a slower request taken earlier keeps later ones counted a little longer, which only errs
   * on the safe side); the exact pass, needed when the budget is full, looks at every slot.
   */
  private expire(exact = false): void {
    const cutoff = this.now() - this.options.windowMs;
    const gone = (s: Slot) => s.doneAt !== null && s.doneAt <= cutoff;
    if (exact) {
      this.slots = this.slots.filter((s) => !gone(s));
      return;
    }
    let n = 0;
    while (n < this.slots.length && gone(this.slots[n] as Slot)) n += 1;
    if (n > 0) this.slots.splice(0, n);
  }

  /** Lets the first waiter retry; it re-checks the budget itself (FIFO, no thundering herd). */
  private wake(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.schedule();
  }

  /** Wakes a waiter when the oldest answered slot leaves the window. */
  private schedule(): void {
    if (this.timer !== null || this.waiters.length === 0) return;
    const answered = this.slots.filter((s) => s.doneAt !== null).map((s) => s.doneAt as number);
    if (answered.length === 0) return; // a request in flight will wake us when it ends
    const wait = Math.max(0, Math.min(...answered) + this.options.windowMs - this.now() + 1);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, wait);
    this.timer.unref();
  }
}
