import { DurationMs } from '@vigil/contracts';
import { z } from 'zod';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses `500ms`, `90s`, `2m`, `1h`, `1h30m`, `1.5s` or a bare number (of ms) to milliseconds; NaN when malformed.
 * Shared by config (flags, env) and the thresholds API so both read durations the same way.
 */
export function parseDurationMs(input: string | number): number {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : Number.NaN;
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let end = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
    end = re.lastIndex;
  }
  return end === 0 || end !== s.length ? Number.NaN : Math.round(total);
}

/**
 * Writes milliseconds in the largest unit that holds them whole (`604800000` → `"7d"`, `129600000` → `"36h"`,
 * `90000` → `"90s"`, `1500` → `"1500ms"`): one number and one unit, which `parseDurationMs` reads back exactly.
 */
export function formatDurationMs(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A duration as given by people and programs: `"90s"`, `"2m"`, `"500ms"`, `"1h"` or a number of ms. */
export const DurationInput = z
  .union([z.string().max(64), z.number()], { error: 'must be a duration such as "90s", "2m", "500ms", "1h", or a number of ms' })
  .transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a duration; write e.g. "90s", "2m", "500ms", "1h" or a number of ms` });
      return z.NEVER;
    }
    return ms;
  });

/** A threshold duration: positive whole ms, at most 30 days (the contract's DurationMs). */
export const ThresholdDurationInput = DurationInput.pipe(DurationMs);
