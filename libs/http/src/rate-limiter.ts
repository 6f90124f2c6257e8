/** What one request costs its key's budget: whether it may go on, and the `RateLimit`-style header values. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window ends and the budget is whole again (at least 1). */
  readonly resetSeconds: number;
}

/**
 * Fixed-window request budgets, one per bucket (a key id): `limit` requests per `windowMs`. Time is passed in, so
 * tests need no sleeps. One Map entry per key that called, so memory is bounded by the number of keys, not requests.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number = 1000,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('a rate limit is a whole number of requests, at least 1');
  }

  /** Counts one request of `bucket` at `now` (epoch ms) and says whether it is within the budget. */
  take(bucket: string, now: number): RateDecision {
    const start = now - (now % this.windowMs);
    let window = this.#windows.get(bucket);
    if (window === undefined || window.start !== start) {
      window = { start, count: 0 };
      this.#windows.set(bucket, window);
    }
    window.count++;
    const resetSeconds = Math.max(1, Math.ceil((start + this.windowMs - now) / 1000));
    return { allowed: window.count <= this.limit, limit: this.limit, remaining: Math.max(0, this.limit - window.count), resetSeconds };
  }
}
