/** How retries are spaced. */
export interface BackoffPolicy {
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

/**
 * Wait after the `attempt`-th failed attempt (1-based): base × 2^(attempt−1) × a jitter factor in [0.8, 1.2), capped
 * at the maximum; a receiver's Retry-After replaces it (capped likewise). With the defaults (30 s base, 8 attempts)
 * the attempts are about 0 s, 30 s, 1.5 min, 3.5 min, 7.5 min, 15.5 min, 31.5 min and 63.5 min after the first.
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number, retryAfterMs: number | null): number {
  if (retryAfterMs !== null) return Math.min(Math.max(0, retryAfterMs), policy.backoffMaxMs);
  const exp = policy.backoffBaseMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(Math.round(exp * (0.8 + 0.4 * random())), policy.backoffMaxMs);
}

/** Parses a Retry-After header: delay-seconds or an HTTP date (relative to `now`); null when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
