import { describe, expect, it } from 'vitest';
import { relativeTime, shortDuration } from './relative-time.ts';
import { formatPairs, formatTable } from './table.ts';

describe('formatting', () => {
  it('aligns table columns two spaces apart without trailing blanks', () => {
    expect(formatTable(['A', 'LONG HEADER', 'C'], [['xxxx', 'y', ''], ['z', 'w', 'last']])).toBe(
      ['A     LONG HEADER  C', 'xxxx  y', 'z     w            last', ''].join('\n'),
    );
  });

  it('aligns label/value pairs', () => {
    expect(formatPairs([['a', '1'], ['long', '2']])).toBe('a     1\nlong  2\n');
  });

  it('says times relative to now in their largest unit', () => {
    const now = Date.parse('2025-01-02T00:00:00Z');
    expect(relativeTime('2025-01-01T23:59:59.600Z', now)).toBe('just now');
    expect(relativeTime('2025-01-01T23:59:15Z', now)).toBe('45s ago');
    expect(relativeTime('2025-01-01T23:58:00Z', now)).toBe('2m ago');
    expect(relativeTime('2025-01-01T21:00:00Z', now)).toBe('3h ago');
    expect(relativeTime('2024-12-30T00:00:00Z', now)).toBe('3d ago');
    expect(relativeTime('2025-01-02T00:00:05Z', now)).toBe('in 5s');
    expect(relativeTime(null, now)).toBe('never');
    expect(shortDuration(90_000)).toBe('1m');
  });
});
