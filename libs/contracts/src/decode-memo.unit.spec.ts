import { describe, expect, it } from 'vitest';
import { DecodeMemo } from './decode-memo.ts';

describe('DecodeMemo', () => {
  it('decodes a text once and answers the next reader of the same text from the memo', () => {
    const memo = new DecodeMemo<{ n: number }>(4);
    let calls = 0;
    const decode = (text: string): { n: number } => {
      calls++;
      return JSON.parse(text) as { n: number };
    };
    const first = memo.get('{"n":1}', decode);
    // A different string object with the same text, as a second consumer's read from SQLite gives.
    const second = memo.get(['{"n":', '1}'].join(''), decode);
    expect(second).toBe(first);
    expect(calls).toBe(1);
    expect(memo.stats()).toEqual({ hits: 1, misses: 1, size: 1 });
  });

  it('keeps no failed decode: a bad text throws for every reader', () => {
    const memo = new DecodeMemo<unknown>(4);
    const decode = (text: string): unknown => JSON.parse(text);
    expect(() => memo.get('{bad', decode)).toThrow(SyntaxError);
    expect(() => memo.get('{bad', decode)).toThrow(SyntaxError);
    expect(memo.stats()).toEqual({ hits: 0, misses: 2, size: 0 });
  });

  it('holds at most its capacity, dropping the oldest text first', () => {
    const memo = new DecodeMemo<number>(2);
    let calls = 0;
    const decode = (text: string): number => {
      calls++;
      return Number(text);
    };
    memo.get('1', decode);
    memo.get('2', decode);
    memo.get('3', decode); // drops '1'
    expect(memo.stats().size).toBe(2);
    memo.get('3', decode);
    memo.get('2', decode);
    expect(calls).toBe(3);
    memo.get('1', decode);
    expect(calls).toBe(4);
  });

  it('answers a remembered text without decoding it, and keeps its capacity', () => {
    const memo = new DecodeMemo<number>(2);
    let calls = 0;
    const decode = (text: string): number => {
      calls++;
      return Number(text);
    };
    memo.remember('1', 1);
    memo.remember('2', 2);
    memo.remember('2', 2); // again: nothing dropped
    expect(memo.get('1', decode)).toBe(1);
    expect(calls).toBe(0);
    memo.remember('3', 3); // drops the oldest, '1'
    expect(memo.stats().size).toBe(2);
    expect(memo.get('3', decode)).toBe(3);
    expect(calls).toBe(0);
    expect(memo.get('1', decode)).toBe(1);
    expect(calls).toBe(1);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new DecodeMemo(0)).toThrow(/positive integer/);
    expect(() => new DecodeMemo(1.5)).toThrow(/positive integer/);
  });
  it('keeps dropping the oldest text first through many rounds of its capacity, remembered or decoded', () => {
    const memo = new DecodeMemo<number>(3);
    const decode = (text: string): number => Number(text);
    for (let i = 0; i < 100; i++) {
      if (i % 2 === 0) memo.remember(String(i), i);
      else memo.get(String(i), decode);
      if (i % 10 === 0) memo.remember(String(i), i); // again: no change of order
    }
    expect(memo.stats().size).toBe(3);
    let calls = 0;
    const counting = (text: string): number => {
      calls++;
      return Number(text);
    };
    for (const kept of ['97', '98', '99']) expect(memo.get(kept, counting)).toBe(Number(kept));
    expect(calls).toBe(0);
    memo.get('96', counting);
    expect(calls).toBe(1);
  });

  describe('vouch', () => {
    function counted() {
      const calls = { decode: 0, trusted: 0 };
      const decode = (text: string): { n: number } => {
        calls.decode++;
        const v = JSON.parse(text) as { n: unknown };
        if (typeof v.n !== 'number') throw new TypeError('n must be a number');
        return { n: v.n };
      };
      const trusted = (text: string): { n: number } => {
        calls.trusted++;
        return JSON.parse(text) as { n: number };
      };
      return { calls, decode, trusted };
    }

    it('decodes a vouched-for text with the trusted decoder at its first lookup, then answers from the memo', () => {
      const { calls, decode, trusted } = counted();
      const memo = new DecodeMemo<{ n: number }>(4, trusted);
      memo.vouch('{"n":1}');
      expect(calls).toEqual({ decode: 0, trusted: 0 }); // nothing is parsed when vouching
      const first = memo.get('{"n":1}', decode);
      expect(first).toEqual({ n: 1 });
      expect(memo.get('{"n":1}', decode)).toBe(first);
      expect(calls).toEqual({ decode: 0, trusted: 1 });
      expect(memo.stats()).toEqual({ hits: 2, misses: 0, size: 1 });
    });

    it('falls back to the full decode, and its error, when the trusted decoder throws', () => {
      const { calls, decode } = counted();
      const memo = new DecodeMemo<{ n: number }>(4, (text) => {
        calls.trusted++;
        return JSON.parse(text) as { n: number };
      });
      memo.vouch('{bad');
      expect(() => memo.get('{bad', decode)).toThrow(SyntaxError);
      expect(calls).toEqual({ decode: 1, trusted: 1 });
      // Nothing decoded is kept: a second reader fails the same way.
      expect(() => memo.get('{bad', decode)).toThrow(SyntaxError);
      expect(calls).toEqual({ decode: 2, trusted: 2 });
    });

    it('keeps a value already remembered, and keeps nothing without a trusted decoder', () => {
      const { calls, decode, trusted } = counted();
      const memo = new DecodeMemo<{ n: number }>(4, trusted);
      const built = { n: 7 };
      memo.remember('{"n":7}', built);
      memo.vouch('{"n":7}');
      expect(memo.get('{"n":7}', decode)).toBe(built);
      expect(calls).toEqual({ decode: 0, trusted: 0 });

      const plain = new DecodeMemo<{ n: number }>(4);
      plain.vouch('{"n":1}');
      expect(plain.stats().size).toBe(0);
      expect(plain.get('{"n":1}', decode)).toEqual({ n: 1 });
      expect(calls.decode).toBe(1);
    });

    it('counts vouched-for texts toward its capacity, oldest dropped first', () => {
      const { calls, decode, trusted } = counted();
      const memo = new DecodeMemo<{ n: number }>(2, trusted);
      memo.vouch('{"n":1}');
      memo.vouch('{"n":2}');
      memo.vouch('{"n":3}'); // drops '{"n":1}'
      expect(memo.stats().size).toBe(2);
      memo.get('{"n":1}', decode);
      expect(calls).toEqual({ decode: 1, trusted: 0 });
      memo.get('{"n":3}', decode);
      expect(calls).toEqual({ decode: 1, trusted: 1 });
    });
  });
});
