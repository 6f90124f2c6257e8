/**
 * Teardown steps of one test, run last-in-first-out from `afterEach`, so processes are stopped before the data
 * directory they write to is removed. Every step runs even when an earlier one fails; failures are reported together.
 */
export class Cleanup {
  readonly #steps: Array<{ what: string; run: () => Promise<void> | void }> = [];

  /** Registers a teardown step; call it right after acquiring the resource, before anything can throw. */
  defer(what: string, run: () => Promise<void> | void): void {
    this.#steps.push({ what, run });
  }

  /** Runs (and forgets) every step, newest first. */
  async run(): Promise<void> {
    const errors: string[] = [];
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        await step.run();
      } catch (err) {
        errors.push(`${step.what}: ${String(err)}`);
      }
    }
    if (errors.length > 0) throw new Error(`cleanup failed:\n${errors.join('\n')}`);
  }
}
