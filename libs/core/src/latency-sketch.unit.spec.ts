import { describe, expect, it } from 'vitest';
import { seededRandom as rng } from '../../../test/support/seeded-random.ts';
import { LatencySketch } from './latency-sketch.ts';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('LatencySketch', () => {
  it('answers p50/p95/p99 within 2 % of the exact quantile on a long-tailed distribution', () => {
    const random = rng(42);
    const sketch = new LatencySketch();
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const v = Math.exp(random() * 8) * 3; // 3 ms .. ~9 s, log-uniform
      values.push(v);
      sketch.add(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(values, q);
      expect(Math.abs(sketch.quantile(q) - exact) / exact).toBeLessThanOrEqual(0.02);
    }
    expect(sketch.min).toBe(values[0]);
    expect(sketch.max).toBe(values[values.length - 1]);
    expect(sketch.count).toBe(50_000);
  });

  it('merges exactly: two halves merged answer like the whole', () => {
    const random = rng(7);
    const whole = new LatencySketch();
    const a = new LatencySketch();
    const b = new LatencySketch();
    for (let i = 0; i < 10_000; i++) {
      const v = random() * 1000;
      whole.add(v);
      (i % 2 === 0 ? a : b).add(v);
    }
    a.merge(b);
    expect(a.toData()).toEqual(whole.toData());
    for (const q of [0.5, 0.95, 0.99]) expect(a.quantile(q)).toBe(whole.quantile(q));
  });

  it('round-trips through its data form', () => {
    const s = new LatencySketch();
    for (const v of [0, 1, 2, 3, 250, 1000]) s.add(v);
    const back = LatencySketch.fromData(s.toData(), { count: s.count, min: s.min, max: s.max, sum: s.sum });
    expect(back.quantile(0.5)).toBe(s.quantile(0.5));
    expect(back.toData()).toEqual(s.toData());
  });

  it('is NaN when empty and counts zero latencies', () => {
    const s = new LatencySketch();
    expect(Number.isNaN(s.quantile(0.5))).toBe(true);
    s.add(0);
    s.add(0);
    expect(s.quantile(0.5)).toBe(0);
  });
});
