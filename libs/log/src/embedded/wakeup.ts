/**
 * A one-slot wake-up signal: `notify()` ends the current `wait()`, or makes the next one return at once, so a
 * notification that arrives between "found nothing" and "start waiting" is never lost.
 */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | null = null;

  /** Wakes the waiter (or the next one). */
  notify(): void {
    this.#pending = true;
    const resolve = this.#resolve;
    this.#resolve = null;
    resolve?.();
  }

  /** Resolves on `notify()` or after `timeoutMs`, whichever comes first. */
  wait(timeoutMs: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.#resolve === done) this.#resolve = null;
        this.#pending = false;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#resolve = done;
    });
  }
}

/** Backoff before retrying a failed batch or callback: 100 ms doubling to 5 s, so a poison batch never spins the CPU. */
export function retryBackoffMs(attempt: number): number {
  return Math.min(5_000, 100 * 2 ** Math.min(attempt, 10));
}
