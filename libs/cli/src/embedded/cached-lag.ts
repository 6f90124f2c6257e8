import type { ConsumerLagGateOptions } from './consumer-lag-gate.ts';

/** What a CachedLag reads, and how long it trusts a reading (`recheckMs` near the bound `maxUnread`, or unknown). */
export interface CachedLagOptions extends Pick<ConsumerLagGateOptions, 'maxUnread' | 'recheckMs' | 'now'> {
  /** Reads the lag now (records not committed by the slowest consumer; null: unknown). */
  readonly read: () => number | null;
  /** How long a reading under half the bound is trusted: long enough to skip most reads, short enough that the lag cannot cross the bound unseen. */
  readonly relaxedMs: number;
}

/**
 * The consumers' lag as the ingest's flow control asks for it: every append asks, and a reading costs an SQL
 * statement, so a reading is reused for `recheckMs`, or for `relaxedMs` while it is far under the bound.
 */
export class CachedLag {
  readonly #options: CachedLagOptions;
  readonly #now: () => number;
  #readAt = Number.NEGATIVE_INFINITY;
  #value: number | null = null;

  constructor(options: CachedLagOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The lag, read again if the last reading is no longer trusted. */
  get(): number | null {
    const now = this.#now();
    const { maxUnread, recheckMs, relaxedMs } = this.#options;
    const trustedMs = this.#value !== null && this.#value < maxUnread / 2 ? relaxedMs : recheckMs;
    if (now - this.#readAt < trustedMs) return this.#value;
    this.#readAt = now;
    this.#value = this.#options.read();
    return this.#value;
  }
}
