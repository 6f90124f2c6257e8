import type { HeartbeatResponse } from '@vigil/contracts';
import type { ApiClient } from './api-client.ts';
import type { Cleanup } from './cleanup.ts';

/** A running loop of heartbeats from the test process, standing in for an agent that keeps beating. */
export interface BeatLoop {
  /** The answer to the latest accepted beat. */
  readonly last: HeartbeatResponse | undefined;
  /** Stops beating; resolves after the beat in flight. */
  stop(): Promise<void>;
}

/** Posts a heartbeat for `agentId` every `everyMs` until stopped (by the test or, at the latest, by `cleanup`). */
export function startBeatLoop(cleanup: Cleanup, api: ApiClient, agentId: string, everyMs: number): BeatLoop {
  let last: HeartbeatResponse | undefined;
  let running = true;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (running) {
      try {
        last = await api.heartbeat(agentId);
      } catch {
        // A refused or failed beat is what the assertions look at through `last` and the API; keep beating.
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, everyMs);
      });
    }
  })();
  const stop = async (): Promise<void> => {
    running = false;
    wake?.();
    await loop;
  };
  cleanup.defer(`beat loop of ${agentId}`, stop);
  return {
    get last() {
      return last;
    },
    stop,
  };
}
