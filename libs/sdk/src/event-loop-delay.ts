import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { EventLoopDelay } from '@vigil/contracts';

/** Sampling resolution of the histogram, in ms: fine enough for a loop that should never block for long. */
const RESOLUTION_MS = 20;

const ms = (ns: number): number => Math.round(ns / 10_000) / 100;

/**
 * The event-loop delay of this process between two beats (`perf_hooks.monitorEventLoopDelay`): a loop blocked by
 * synchronous work starves the heartbeat timer too, so this shows an agent drifting towards `degraded` before it gets
 * there. Each `take()` returns the percentiles since the previous one and starts afresh.
 */
export class EventLoopDelayMonitor {
  readonly #histogram: IntervalHistogram;

  constructor() {
    this.#histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.#histogram.enable();
  }

  /** Delay since the last call in ms, or undefined when nothing was sampled yet. */
  take(): EventLoopDelay | undefined {
    const h = this.#histogram;
    if (h.count === 0) return undefined;
    const sample = { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
    h.reset();
    return sample;
  }

  /** Stops sampling. */
  stop(): void {
    this.#histogram.disable();
  }
}
