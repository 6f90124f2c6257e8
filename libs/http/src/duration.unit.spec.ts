import { describe, expect, it } from 'vitest';
import { DurationInput, formatDurationMs, parseDurationMs } from './duration.ts';
import { parseByteSize } from './byte-size.ts';

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['250', 250],
    [1000, 1000],
  ])('reads %s as %d ms', (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms);
  });

  it.each(['', 'abc', '10x', '5 m', '-1s', 's'])('rejects %j', (input) => {
    expect(parseDurationMs(input)).toBeNaN();
  });

  it('explains a malformed duration in its zod error', () => {
    const result = DurationInput.safeParse('soon');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('"90s"');
  });
});

describe('formatDurationMs', () => {
  it.each([
    [7 * 86_400_000, '7d'],
    [36 * 3_600_000, '36h'],
    [90_000, '90s'],
    [120_000, '2m'],
    [1500, '1500ms'],
    [0, '0ms'],
  ])('writes %d ms as %s, which reads back the same', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
    expect(parseDurationMs(text)).toBe(ms);
  });
});

describe('parseByteSize', () => {
  it.each([
    ['1mb', 1024 * 1024],
    ['512kb', 512 * 1024],
    ['1MiB', 1024 * 1024],
    ['2048', 2048],
    [4096, 4096],
  ])('reads %s as %d bytes', (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });

  it('rejects unknown units', () => {
    expect(parseByteSize('1tb')).toBeNaN();
  });
});
