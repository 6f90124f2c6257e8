import { DateTime, Duration } from 'luxon';
import { UsageError } from '../usage-error.ts';

const UNITS: Readonly<Record<string, string>> = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days', w: 'weeks' };

/**
 * `--since` as people write it: a span back from now (`90m`, `2h`, `1d12h`, ISO `PT2H`) or a moment (ISO 8601
 * `2026-01-01T10:00`, read in UTC unless it says its zone). Returns epoch ms.
 */
export function parseSince(text: string, nowMs: number): number {
  const trimmed = text.trim();
  const parts = /^(?:\d+[smhdw])+$/.test(trimmed) ? [...trimmed.matchAll(/(\d+)([smhdw])/g)] : null;
  if (parts !== null) {
    const spec: Record<string, number> = {};
    for (const [, n, unit] of parts) spec[UNITS[unit ?? 's'] ?? 'seconds'] = (spec[UNITS[unit ?? 's'] ?? 'seconds'] ?? 0) + Number(n);
    return DateTime.fromMillis(nowMs, { zone: 'utc' }).minus(Duration.fromObject(spec)).toMillis();
  }
  if (/^P/i.test(trimmed)) {
    const d = Duration.fromISO(trimmed.toUpperCase());
    if (d.isValid) return DateTime.fromMillis(nowMs, { zone: 'utc' }).minus(d).toMillis();
  }
  const at = DateTime.fromISO(trimmed, { zone: 'utc' });
  if (at.isValid) {
    if (at.toMillis() > nowMs) throw new UsageError(`--since must be in the past, got '${text}'`);
    return at.toMillis();
  }
  throw new UsageError(`--since must be a span such as 90m, 2h, 1d or an ISO 8601 time, got '${text}'`);
}
