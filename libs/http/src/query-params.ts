import { z } from 'zod';

/** A whole number in a query string (`?limit=50`), checked against a range. */
export function queryInt(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/** A boolean in a query string: exactly `true` or `false`. */
export function queryBool() {
  return z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true');
}

/** An opaque pagination cursor, as returned in `nextCursor`. */
export const QueryCursor = z.string().min(1).max(1024);

/** A point in time in a query string: ISO 8601 (`2025-01-01T00:00:00Z`) or epoch milliseconds; parsed to epoch ms. */
export const QueryTime = z.string().transform((value, ctx) => {
  const ms = /^\d+$/.test(value) ? Number(value) : /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
    return z.NEVER;
  }
  return ms;
});
