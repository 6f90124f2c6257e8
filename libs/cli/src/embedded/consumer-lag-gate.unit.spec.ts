import { describe, expect, it } from 'vitest';
import { ConsumerLagGate } from './consumer-lag-gate.ts';

/** A gate on a lag and a clock the test sets, with its timers run by `tick`. */
function given(maxUnread = 10, maxHoldMs = 1_000) {
  let unread: number | null = 0;
  let now = 0;
  const timers: { at: number; run: () => void }[] = [];
  const ran: string[] = [];
  const overdue: { heldMs: number; unread: number | null }[] = [];
  const gate = new ConsumerLagGate({
    unread: () => unread,
    maxUnread,
    maxHoldMs,
    recheckMs: 5,
    now: () => now,
    setTimer: (run, ms) => timers.push({ at: now + ms, run }),
    onOverdue: (heldMs, u) => overdue.push({ heldMs, unread: u }),
  });
  const tick = (ms: number): void => {
    const until = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (next === undefined || next.at > until) break;
      timers.shift();
      now = next.at;
      next.run();
    }
    now = until;
  };
  return {
    gate,
    ran,
    overdue,
    timers,
    tick,
    setUnread: (n: number | null) => (unread = n),
    submit: (name: string) => gate.submit(() => ran.push(name)),
  };
}

describe('ConsumerLagGate', () => {
  it('runs appends at once while the consumers keep up (at the limit included), and when the lag is unknown', () => {
    const g = given(10);
    g.submit('a');
    g.setUnread(10);
    g.submit('b');
    g.setUnread(null);
    g.submit('c');
    expect(g.ran).toEqual(['a', 'b', 'c']);
    expect(g.timers).toHaveLength(0);
    expect(g.gate.stats()).toEqual({ held: 0, overdue: 0, waiting: 0 });
  });

  it('holds appends while the consumers are behind and runs them, in order, once they caught up', () => {
    const g = given(10);
    g.setUnread(11);
    g.submit('a');
    g.submit('b');
    g.tick(50);
    expect(g.ran).toEqual([]);
    expect(g.gate.stats()).toEqual({ held: 2, overdue: 0, waiting: 2 });
    g.setUnread(3);
    g.tick(5);
    expect(g.ran).toEqual(['a', 'b']);
    expect(g.gate.stats()).toEqual({ held: 2, overdue: 0, waiting: 0 });
    expect(g.overdue).toEqual([]);
  });

  it('keeps arrival order: an append sent while others wait waits behind them even if the consumers caught up', () => {
    const g = given(10);
    g.setUnread(20);
    g.submit('a');
    g.setUnread(0);
    g.submit('b');
    expect(g.ran).toEqual([]);
    g.tick(5);
    expect(g.ran).toEqual(['a', 'b']);
  });

  it('lets held appends go after maxHoldMs when the consumers are stuck, and stays open until they are back under the limit', () => {
    const g = given(10, 1_000);
    g.setUnread(50);
    g.submit('a');
    g.tick(995);
    expect(g.ran).toEqual([]);
    g.tick(10);
    expect(g.ran).toEqual(['a']);
    expect(g.overdue).toEqual([{ heldMs: 1_000, unread: 50 }]);
    // Open: a stuck consumer does not hold every later append for maxHoldMs.
    g.submit('b');
    expect(g.ran).toEqual(['a', 'b']);
    expect(g.gate.stats()).toEqual({ held: 1, overdue: 2, waiting: 0 });
    // Caught up: the gate closes again, and the next lag holds again.
    g.setUnread(0);
    g.submit('c');
    g.setUnread(50);
    g.submit('d');
    expect(g.ran).toEqual(['a', 'b', 'c']);
    expect(g.gate.stats().waiting).toBe(1);
  });

  it('runs everything waiting on release (the thread is stopping)', () => {
    const g = given(10);
    g.setUnread(99);
    g.submit('a');
    g.submit('b');
    g.gate.release();
    expect(g.ran).toEqual(['a', 'b']);
    expect(g.gate.stats().waiting).toBe(0);
  });
});
