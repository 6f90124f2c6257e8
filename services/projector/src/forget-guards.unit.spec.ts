import { describe, expect, it } from 'vitest';
import { ForgetGuards } from './forget-guards.ts';

const guard = (agentId: string, partition: number, releaseOffset: number, cutoff = 1000) => ({ tenant: 'acme', agentId, partition, releaseOffset, cutoff });

describe('ForgetGuards', () => {
  it('answers the cutoff of a guarded agent of its own tenant only', () => {
    const guards = new ForgetGuards();
    guards.add(guard('a-1', 0, 10, 5000));
    expect(guards.cutoffOf('acme', 'a-1')).toBe(5000);
    expect(guards.cutoffOf('other', 'a-1')).toBeUndefined();
    expect(guards.cutoffOf('acme', 'a-2')).toBeUndefined();
  });

  it('releases the guards of a partition whose release offset the committed offset reached, and keeps the rest', () => {
    const guards = new ForgetGuards();
    guards.add(guard('a-1', 0, 10));
    guards.add(guard('a-2', 0, 20));
    guards.add(guard('a-3', 1, 5));

    expect(guards.release(0, 15)).toBe(1);

    expect(guards.cutoffOf('acme', 'a-1')).toBeUndefined();
    expect(guards.cutoffOf('acme', 'a-2')).toBe(1000);
    expect(guards.cutoffOf('acme', 'a-3')).toBe(1000);
    expect(guards.size).toBe(2);
  });

  it('says a release may be due only once the consumer has reached the lowest release offset of the partition', () => {
    const guards = new ForgetGuards();
    guards.add(guard('a-1', 0, 10));
    guards.add(guard('a-2', 0, 20));
    expect(guards.mayRelease(0, 9)).toBe(false);
    expect(guards.mayRelease(1, 1000)).toBe(false);
    expect(guards.mayRelease(0, 10)).toBe(true);

    guards.release(0, 10);

    expect(guards.mayRelease(0, 19)).toBe(false);
    expect(guards.mayRelease(0, 20)).toBe(true);
    guards.release(0, 20);
    expect(guards.mayRelease(0, 1_000_000)).toBe(false);
    expect(guards.size).toBe(0);
  });

  it('keeps the later cutoff and release point when an agent is forgotten again', () => {
    const guards = new ForgetGuards();
    guards.add(guard('a-1', 0, 10, 1000));
    guards.add(guard('a-1', 0, 30, 9000));
    expect(guards.size).toBe(1);
    expect(guards.cutoffOf('acme', 'a-1')).toBe(9000);

    guards.release(0, 10);

    expect(guards.cutoffOf('acme', 'a-1')).toBe(9000);
    expect(guards.release(0, 30)).toBe(1);
  });
});
