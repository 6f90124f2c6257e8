import { z } from 'zod';

const UNIT_BYTES: Readonly<Record<string, number>> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 };

/** Parses `1048576`, `512kb`, `1mb`, `1MiB` to bytes (binary units); NaN when malformed. */
export function parseByteSize(input: string | number): number {
  if (typeof input === 'number') return Number.isInteger(input) && input >= 0 ? input : Number.NaN;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(input.trim());
  if (!m) return Number.NaN;
  const unit = (m[2] ?? '').toLowerCase() || 'b';
  const factor = UNIT_BYTES[unit];
  return factor === undefined ? Number.NaN : Math.round(Number(m[1]) * factor);
}

/** A size as given in flags and env: `"1mb"`, `"512kb"` or a number of bytes. */
export const ByteSizeInput = z.union([z.string().max(32), z.number()], { error: 'must be a size such as "1mb", "512kb", or a number of bytes' }).transform((value, ctx) => {
  const bytes = parseByteSize(value);
  if (Number.isNaN(bytes)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a size; write e.g. "1mb", "512kb" or a number of bytes` });
    return z.NEVER;
  }
  return bytes;
});
