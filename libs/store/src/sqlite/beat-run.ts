import type { HeartbeatEvent } from '@vigil/contracts';

/** A beat of a run, with its receive time (epoch ms) as parsed once. */
export interface RunBeat {
  readonly event: HeartbeatEvent;
  readonly at: number;
}

/**
 * Consecutive beats of one agent within a read-model batch that one UPDATE can fold exactly as well as one UPDATE
 * per beat: each beat is at least as late as the one before it and carries every optional field the one before it
 * carried. Then, if the agent's row exists, folding them one by one leaves the last beat's fields (the optional ones
 * it lacks were lacked by all, so they keep the row's), last-seen at the last beat unless all are late, and
 * registered-at lowered to the first beat's time — which is what the read model writes for a run. Where there is no
 * row yet (a new agent, or one of a forgotten life) the run is folded beat by beat, as before.
 * In log order, never empty: the first beat is the earliest, the last one's fields are the run's.
 */
export type BeatRun = RunBeat[];

/** Whether `next` may join `run`: not earlier than its last beat, and setting every optional field that beat set. */
export function extendsRun(run: BeatRun, next: RunBeat): boolean {
  const last = run[run.length - 1]!;
  if (next.at < last.at) return false;
  const prev = last.event.data;
  const data = next.event.data;
  return (
    (prev.progress === undefined || data.progress !== undefined) &&
    (prev.host === undefined || data.host !== undefined) &&
    (prev.version === undefined || data.version !== undefined) &&
    (prev.labels === undefined || data.labels !== undefined) &&
    (prev.eventLoopDelayMs === undefined || data.eventLoopDelayMs !== undefined)
  );
}
