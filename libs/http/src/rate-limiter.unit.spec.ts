import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  it('allows `limit` requests per window and key, then refuses until the next window', () => {
    const limiter = new RateLimiter(3, 1000);
    const t = 10_000;
    expect([1, 2, 3].map(() => limiter.take('k1', t + 100).allowed)).toEqual([true, true, true]);
    expect(limiter.take('k1', t + 900)).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 1 });
    expect(limiter.take('k2', t + 900).allowed).toBe(true);
    expect(limiter.take('k1', t + 1000)).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 1 });
  });

  it('says how long until the budget is whole again, in whole seconds', () => {
    const limiter = new RateLimiter(1, 60_000);
    expect(limiter.take('k', 1_000).resetSeconds).toBe(59);
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => new RateLimiter(0)).toThrow(RangeError);
    expect(() => new RateLimiter(1.5)).toThrow(RangeError);
  });
});
