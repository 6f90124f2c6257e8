import type { SpawnedProcess } from './spawned-process.ts';

/** A load-shedding refusal as received: its JSON body and its `Retry-After` header. */
export interface OverloadedAnswer {
  readonly body: unknown;
  readonly retryAfter: string | null;
}

/** How long each stop lasts: a lag far over a 1 ms limit, and well under the 1 s default so it cannot trip that. */
const STOP_MS = 600;
/** How long requests are sent after each stop: load shedding samples the delay each second, so two samples fit. */
const AFTER_STOP_MS = 3_000;
const MAX_STOPS = 5;
const PROBE_EVERY_MS = 50;
const PROBE_IN_FLIGHT = 8;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One request; the refusal if it was the load-shedding one (`503 VIGIL_ERR_OVERLOADED`), else null. */
async function overloaded(url: string, init: RequestInit): Promise<OverloadedAnswer | null> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  if (res.status !== 503) return null;
  const body = JSON.parse(text) as { error?: { code?: string } };
  return body.error?.code === 'VIGIL_ERR_OVERLOADED' ? { body, retryAfter: res.headers.get('retry-after') } : null;
}

/**
 * Blocks the process's event loop from outside and returns the first `503 VIGIL_ERR_OVERLOADED` that a request to
 * `url` gets afterwards, or null. The process is stopped (SIGSTOP) for 600 ms and continued: its event-loop delay histogram then
 * holds one sample of about 600 ms, so the next mean that load shedding computes (over at most a second of 10 ms
 * samples) is at least ≈ 6 ms above the resolution, whatever the machine's load (a loaded machine only lags more).
 * A limit of 1 ms is then exceeded for a whole sampling interval, while the 1 s default cannot be (a mean is at most
 * its largest sample): a 503 here comes from the configured limit. Requests go out during the following 3 s, a
 * new one every 50 ms without waiting for the last (both sampling orders fit); the stop is repeated a few times
 * before giving up.
 */
export async function overloadedAfterStop(process: SpawnedProcess, url: string, init: RequestInit): Promise<OverloadedAnswer | null> {
  for (let stop = 0; stop < MAX_STOPS; stop++) {
    process.signal('SIGSTOP');
    try {
      await sleep(STOP_MS);
    } finally {
      process.signal('SIGCONT');
    }
    const refused = await probe(url, init);
    if (refused !== null) return refused;
  }
  return null;
}

/**
 * Sends a request every PROBE_EVERY_MS for AFTER_STOP_MS without waiting for the previous one (at most
 * PROBE_IN_FLIGHT at once), and resolves with the first load-shedding refusal, or null once all have answered. Not
 * one after another: on a loaded machine one answer can take longer than the second during which shedding is on.
 */
async function probe(url: string, init: RequestInit): Promise<OverloadedAnswer | null> {
  const until = Date.now() + AFTER_STOP_MS;
  const inFlight = new Set<Promise<void>>();
  let found: OverloadedAnswer | null = null;
  while (found === null && Date.now() < until) {
    if (inFlight.size < PROBE_IN_FLIGHT) {
      const request: Promise<void> = overloaded(url, init).then((refused) => {
        found ??= refused;
      });
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    }
    await sleep(PROBE_EVERY_MS);
  }
  await Promise.all(inFlight);
  return found;
}
