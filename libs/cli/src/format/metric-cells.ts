/** `98.5%`, or `-` without samples. */
export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '-';
  const p = rate * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** `420ms`, `1.2s`, or `-`. */
export function latency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}

/** `$0.0123`, `$12.40`, `$0`, or `-`. */
export function usd(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) return '-';
  if (cost === 0) return '$0';
  return `$${cost < 1 ? cost.toFixed(4) : cost.toFixed(2)}`;
}
