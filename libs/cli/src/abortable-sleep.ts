/** Waits `ms`; resolves true if `signal` aborted first (or already had), so start-up waits end on SIGTERM at once. */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (signal?.aborted === true) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve(true)), { once: true });
  });
}
