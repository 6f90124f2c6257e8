/** Parses `500ms`, `2s`, `90s`, `5m`, `1h`, `1h30m` (or a bare number of ms) to milliseconds; NaN if malformed. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : Number.NaN;
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const n = Number(m[1]);
    const unit = m[2];
    total += n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== s.length) return Number.NaN;
  return Math.round(total);
}
