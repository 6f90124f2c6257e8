import { describe, expect, it } from 'vitest';
import { CachedLag } from './cached-lag.ts';

function given(readings: (number | null)[], maxUnread = 8192) {
  let t = 0;
  let reads = 0;
  const lag = new CachedLag({
    read: () => {
      reads++;
      return readings.length > 1 ? readings.shift()! : readings[0]!;
    },
    maxUnread,
    recheckMs: 2,
    relaxedMs: 20,
    now: () => t,
  });
  return { lag, at: (ms: number) => (t = ms), reads: () => reads };
}

describe('CachedLag', () => {
  it('reuses a reading near the bound for recheckMs, then reads again', () => {
    const g = given([5000, 9000]);
    expect(g.lag.get()).toBe(5000);
    g.at(1.9);
    expect(g.lag.get()).toBe(5000);
    expect(g.reads()).toBe(1);
    g.at(2);
    expect(g.lag.get()).toBe(9000);
    expect(g.reads()).toBe(2);
  });

  it('trusts a reading under half the bound for relaxedMs', () => {
    const g = given([4095, 6000]);
    expect(g.lag.get()).toBe(4095);
    g.at(19.9);
    expect(g.lag.get()).toBe(4095);
    expect(g.reads()).toBe(1);
    g.at(20);
    expect(g.lag.get()).toBe(6000);
    // 6,000 is near the bound: trusted for recheckMs only from here.
    g.at(22);
    g.lag.get();
    expect(g.reads()).toBe(3);
  });

  it('reads an unknown lag again after recheckMs, and never relaxes when the bound is 0 (every append held)', () => {
    const unknown = given([null, 10]);
    expect(unknown.lag.get()).toBeNull();
    unknown.at(2);
    expect(unknown.lag.get()).toBe(10);
    const strict = given([0, 1], 0);
    expect(strict.lag.get()).toBe(0);
    strict.at(2);
    expect(strict.lag.get()).toBe(1);
  });
});
