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
});
