/** `just now`, `12s ago`, `3m ago`, `2h ago`, `4d ago`; `never` for null. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const diff = now - Date.parse(iso);
  if (!Number.isFinite(diff)) return iso;
  const text = span(Math.abs(diff));
  if (text === '0s') return 'just now';
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** A duration in its largest whole unit: `45s`, `3m`, `2h`, `4d`. */
export function span(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** `2026-01-01 10:04:05 UTC`, for tooltips and the timeline. */
export function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `98.5%`, or `–` without samples. */
export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '–';
  const p = rate * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** `420 ms`, `1.2 s`, or `–`. */
export function millis(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `$0.0123`, `$12.40`, or `–`. */
export function usd(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) return '–';
  if (cost === 0) return '$0';
  return `$${cost < 1 ? cost.toFixed(4) : cost.toFixed(2)}`;
}
