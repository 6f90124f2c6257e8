/**
 * Polls `check` until it returns true (or returns without throwing, for assertion callbacks) or `timeoutMs` passes,
 * then fails with the last assertion error. Tests wait for asynchronous results this way, never with fixed sleeps.
 */
export async function waitFor(check: () => boolean | void | Promise<boolean | void>, timeoutMs = 10_000, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const result = await check();
      if (result !== false) return;
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`waitFor timed out after ${timeoutMs} ms${reason}`, { cause: lastError ?? undefined });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
