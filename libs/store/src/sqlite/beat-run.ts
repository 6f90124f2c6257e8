import type { HeartbeatEvent } from '@vigil/contracts';

/**
 * Consecutive beats of one agent within a read-model batch that one UPDATE can fold exactly as well as one UPDATE
 * per beat: each beat is at least as late as the one before it and carries every optional field the one before it
 * carried. Then, if the agent's row exists, folding them one by one leaves the last beat's fields (the optional ones
 * it lacks were lacked by all, so they keep the row's), last-seen at the last beat unless all are late, and
 * registered-at lowered to the first beat's time — which is what the read model writes for a run. Where there is no
 * row yet (a new agent, or one of a forgotten life) the run is folded beat by beat, as before.
 */
export interface BeatRun {
  /** Receive time (epoch ms) of the run's first beat: the earliest, as times never go down within a run. */
  readonly firstAt: number;
  /** Receive time of the last beat. */
  lastAt: number;
  /** The beats, in log order; the last one's fields are the run's. */
  readonly beats: HeartbeatEvent[];
}

/** Whether `next` may join a run that ends with `last`: not earlier, and every optional field of `last` set again. */
export function extendsRun(run: BeatRun, next: HeartbeatEvent['data'], nextAt: number): boolean {
  if (nextAt < run.lastAt) return false;
  const last = run.beats[run.beats.length - 1]!.data;
  return (
    (last.progress === undefined || next.progress !== undefined) &&
    (last.host === undefined || next.host !== undefined) &&
    (last.version === undefined || next.version !== undefined) &&
    (last.labels === undefined || next.labels !== undefined) &&
    (last.eventLoopDelayMs === undefined || next.eventLoopDelayMs !== undefined)
  );
}
