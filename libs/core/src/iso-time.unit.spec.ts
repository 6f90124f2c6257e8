import { describe, expect, it } from 'vitest';
import { formatIsoMs, parseIsoMs } from './iso-time.ts';

describe('iso-time', () => {
  it('parses like Date.parse for every precision', () => {
    for (const s of ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.5Z', '2026-02-28T23:59:59.12Z', '2024-02-29T12:34:56.789Z', '1999-12-31T23:59:59.999999Z', '2100-03-01T00:00:00.000Z']) {
      expect(parseIsoMs(s)).toBe(Date.parse(s));
    }
  });

  it('rejects malformed input with NaN', () => {
    for (const s of ['', '2026-01-01', '2026-13-01T00:00:00Z', '2026-01-01T00:00:00+01:00', '2026-01-01T00:00:00.Z', 'xxxx-01-01T00:00:00Z']) {
      expect(parseIsoMs(s)).toBeNaN();
    }
  });

  it('formats like toISOString over a wide range', () => {
    for (let t = -86_400_000 * 400; t < 86_400_000 * 365 * 200; t += 86_400_000 * 37 + 12_345_678) {
      expect(formatIsoMs(t)).toBe(new Date(t).toISOString());
    }
  });
});
