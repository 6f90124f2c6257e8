/** How often a wait re-reads the system: often enough to be quick, rare enough not to load a busy 2-core machine. */
const DEFAULT_INTERVAL_MS = 200;

/** Options of `waitUntil`. */
export interface WaitOptions {
  /** Give up after this long; generous, since the machine may be loaded, but always bounded. */
  readonly timeoutMs: number;
  readonly intervalMs?: number;
}

/**
 * Reads the system (usually over HTTP) until `accept` holds, and returns what it read then. Waiting is the only way
 * these tests synchronise with the platform: no fixed sleeps decide an outcome. On timeout the error names what was
 * awaited and shows the last state seen (or the last read error), so a failure explains itself.
 */
export async function waitUntil<S>(what: string, read: () => Promise<S>, accept: (state: S) => boolean, options: WaitOptions): Promise<S> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  let last: { state: S } | { error: unknown } | undefined;
  for (;;) {
    try {
      const state = await read();
      if (accept(state)) return state;
      last = { state };
    } catch (error) {
      // A read may fail while a process is still starting or going away; only the deadline ends the wait.
      last = { error };
    }
    if (Date.now() >= deadline) {
      const seen = last === undefined ? 'nothing' : 'state' in last ? JSON.stringify(last.state, null, 1) : String(last.error);
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
