/** `5s ago`, `3m ago`, `2h ago`, `4d ago` (or `in 5s` for a clock ahead of ours); `never` for null. */
export function relativeTime(iso: string | null, nowMs: number): string {
  if (iso === null) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const diff = nowMs - at;
  const text = shortDuration(Math.abs(diff));
  if (text === '0s') return 'just now';
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** A duration in its largest whole unit: `950ms` is `0s`, `90s` is `1m`, `36h` is `1d`. */
export function shortDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
