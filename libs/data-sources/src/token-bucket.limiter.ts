/** Time as the limiter and retry loops see it; tests pass a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export interface TokenBucketOptions {
  /** Sustained rate. */
  perMinute: number;
  /**
   * Requests allowed back to back. Default 1: vendors count requests per minute window, and a bucket
   * with burst B lets B + perMinute requests through in some 60 s window.
   */
  burst?: number;
  clock?: Clock;
}

/** Token bucket; callers are served in arrival order. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private tail: Promise<void> = Promise.resolve();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly clock: Clock;

  constructor(options: TokenBucketOptions) {
    if (!(options.perMinute > 0)) throw new RangeError(`perMinute must be > 0, got ${options.perMinute}`);
    this.perMs = options.perMinute / 60_000;
    this.burst = Math.max(1, options.burst ?? 1);
    this.clock = options.clock ?? systemClock;
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    const turn = this.tail.then(() => this.takeOne());
    this.tail = turn;
    return turn;
  }

  private async takeOne(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil((1 - this.tokens) / this.perMs));
    }
  }
}
