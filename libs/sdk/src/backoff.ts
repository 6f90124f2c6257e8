/** First retry waits up to this long; each further failure doubles the bound (until the cap). */
export const BACKOFF_BASE_MS = 1_000;

/**
 * Delay before retry number `attempt` (1 for the first): exponential backoff with FULL jitter, uniform in
 * `[0, min(capMs, baseMs * 2^(attempt-1))]`, so a fleet that failed together (an outage) does not retry in lockstep.
 * `random` is `Math.random` outside tests.
 */
export function fullJitterDelay(attempt: number, capMs: number, random: () => number, baseMs = BACKOFF_BASE_MS): number {
  const bound = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.floor(random() * bound);
}
