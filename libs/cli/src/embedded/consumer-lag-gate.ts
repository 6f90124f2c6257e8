/** What a ConsumerLagGate is told: how far behind its consumers are, its bounds, and (for tests) its clock. */
export interface ConsumerLagGateOptions {
  /** Records the slowest of the gated consumers has not committed yet (null: unknown, taken as none). */
  readonly unread: () => number | null;
  /** Appends wait while `unread()` is above this. */
  readonly maxUnread: number;
  /**
   * Longest an append waits. Consumers that cannot take `maxUnread` records off their lag in this long are stuck, not
   * slow: the waiting appends go ahead, and the gate stays open until the consumers are back under `maxUnread`, so a
   * broken consumer never stops the ingest.
   */
  readonly maxHoldMs: number;
  /** How often held appends look at `unread()` again. */
  readonly recheckMs: number;
  readonly now?: () => number;
  readonly setTimer?: (run: () => void, ms: number) => void;
  /** Told when held appends ran out of `maxHoldMs` and the gate opened (a consumer that does not keep up at all). */
  readonly onOverdue?: (heldMs: number, unread: number | null) => void;
}

/** Counters of what the gate held, for tests and /metrics. */
export interface ConsumerLagGateStats {
  /** Appends that waited for the consumers. */
  readonly held: number;
  /** Appends that went ahead although the consumers were behind: held past `maxHoldMs`, or sent while the gate was open after that. */
  readonly overdue: number;
  /** Appends waiting now. */
  readonly waiting: number;
}

/**
 * Flow control between `vigil up`'s ingest and the consumers that share its writer thread (detector, projector):
 * appends wait, in arrival order, while the consumers are more than `maxUnread` records behind, so that under a load
 * the thread cannot fold the log grows no faster than it is read. Without it the appends, which are cheaper than the
 * folds, took the thread: acknowledged beats ran ahead of the detector by tens of thousands of records (seconds of
 * beats, so transitions came seconds late), and every read fell out of the thread's tail cache and decode memo, which
 * made the folds slower still. The HTTP clients see the wait as latency, as they would a slow disk.
 */
export class ConsumerLagGate {
  readonly #options: ConsumerLagGateOptions;
  readonly #now: () => number;
  readonly #setTimer: (run: () => void, ms: number) => void;
  readonly #waiting: { readonly run: () => void; readonly since: number }[] = [];
  #armed = false;
  /** Opened after an overdue hold: appends go ahead until the consumers are back under `maxUnread`. */
  #open = false;
  #held = 0;
  #overdue = 0;

  constructor(options: ConsumerLagGateOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#setTimer = options.setTimer ?? ((run, ms) => void setTimeout(run, ms));
  }

  /** Runs `append` now if nothing waits and the consumers keep up; else once they do (or `maxHoldMs` passed). */
  submit(append: () => void): void {
    if (this.#waiting.length === 0 && !this.#behind()) {
      this.#open = false;
      append();
      return;
    }
    if (this.#open) {
      this.#overdue++;
      append();
      return;
    }
    this.#held++;
    this.#waiting.push({ run: append, since: this.#now() });
    this.#arm();
  }

  /** What the gate held so far. */
  stats(): ConsumerLagGateStats {
    return { held: this.#held, overdue: this.#overdue, waiting: this.#waiting.length };
  }

  /** Runs everything waiting at once (the thread is stopping: appends in flight are committed, not dropped). */
  release(): void {
    for (const waiting of this.#waiting.splice(0)) waiting.run();
  }

  #behind(unread: number | null = this.#options.unread()): boolean {
    return unread !== null && unread > this.#options.maxUnread;
  }

  #arm(): void {
    if (this.#armed) return;
    this.#armed = true;
    this.#setTimer(() => this.#recheck(), this.#options.recheckMs);
  }

  #recheck(): void {
    this.#armed = false;
    const unread = this.#options.unread();
    if (!this.#behind(unread)) {
      this.release();
      return;
    }
    const oldest = this.#waiting[0];
    if (oldest === undefined) return;
    const heldMs = this.#now() - oldest.since;
    if (heldMs < this.#options.maxHoldMs) {
      this.#arm();
      return;
    }
    this.#open = true;
    this.#overdue += this.#waiting.length;
    this.#options.onOverdue?.(heldMs, unread);
    this.release();
  }
}
