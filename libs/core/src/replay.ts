import type { AgentEvent, DetectorOutputEvent, TickEvent } from '@vigil/contracts';
import { CONTRACT_VERSION } from '@vigil/contracts';
import { Detector } from './detector.ts';
import type { DetectorConfig } from './detector-config.ts';
import { formatIsoMs, parseIsoMs } from './iso-time.ts';

/** Options of a replay. */
export interface ReplayOptions {
  readonly config?: Partial<DetectorConfig>;
  /** Epoch ms: events after it are ignored, and synthetic ticks run up to it. */
  readonly until?: number;
  /** Interval of synthetic ticks when the input has none (default 1000 ms, the platform's clock). */
  readonly tickEveryMs?: number;
}

/** Event time of an input event. */
export function eventTimeOf(e: AgentEvent): number {
  return parseIsoMs(e.type === 'heartbeat' ? e.data.receivedAt : e.time);
}

function tick(t: number): TickEvent {
  return { type: 'tick', version: CONTRACT_VERSION, id: `replay-tick-${t}`, time: formatIsoMs(t), data: { partition: 0 } };
}

/**
 * Replays events through one detector and returns everything it emits. When the input carries ticks (a log as the
 * platform stores it) they are the clock, every partition's copy of a tick collapsing into one; when it has none (the
 * minimal form), a tick is synthesised every second of event time, before the events at that instant, up to `until`
 * (default: the last event). One detector over every partition emits what the per-partition detectors emit together,
 * because each agent's output depends only on its own events and the ticks, which every partition shares.
 */
export function replay(events: Iterable<AgentEvent>, options: ReplayOptions = {}): DetectorOutputEvent[] {
  const detector = new Detector(options.config ?? {});
  const out: DetectorOutputEvent[] = [];
  const list = [...events];
  const until = options.until ?? Number.POSITIVE_INFINITY;
  const hasTicks = list.some((e) => e.type === 'tick');
  const step = options.tickEveryMs ?? 1000;
  let nextTick = Number.NaN;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of list) {
    const t = eventTimeOf(e);
    if (t > until) continue;
    if (!hasTicks) {
      if (Number.isNaN(nextTick)) nextTick = Math.floor(t / step) * step;
      for (; nextTick <= t; nextTick += step) detector.apply(tick(nextTick), out);
    }
    if (t > last) last = t;
    detector.apply(e, out);
  }
  if (!hasTicks && !Number.isNaN(nextTick)) {
    const end = until === Number.POSITIVE_INFINITY ? last : until;
    for (; nextTick <= end; nextTick += step) detector.apply(tick(nextTick), out);
  }
  return out;
}
