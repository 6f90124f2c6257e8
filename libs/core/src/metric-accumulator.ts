import type { MetricSample, MetricSummaryData } from '@vigil/contracts';
import { formatIsoMs } from './iso-time.ts';
import { LatencySketch } from './latency-sketch.ts';

/** Metrics of one agent in one open metric window; created on the first sample, dropped once summarised. */
export class MetricAccumulator {
  count = 0;
  successes = 0;
  costUsd = 0;
  sketch: LatencySketch | null = null;

  constructor(readonly windowStart: number) {}

  /** Adds the samples a beat carried. */
  addAll(samples: readonly MetricSample[]): void {
    for (const s of samples) {
      this.count++;
      if (s.success) this.successes++;
      if (s.costUsd !== undefined) this.costUsd += s.costUsd;
      if (s.latencyMs !== undefined) (this.sketch ??= new LatencySketch()).add(s.latencyMs);
    }
  }

  /** The summary payload of this window. */
  summarise(windowMs: number): MetricSummaryData {
    const sk = this.sketch;
    const latency =
      sk && sk.count > 0
        ? { count: sk.count, min: sk.min, avg: sk.sum / sk.count, max: sk.max, p50: sk.quantile(0.5), p95: sk.quantile(0.95), p99: sk.quantile(0.99) }
        : null;
    return {
      windowStart: formatIsoMs(this.windowStart),
      windowEnd: formatIsoMs(this.windowStart + windowMs),
      count: this.count,
      successes: this.successes,
      failures: this.count - this.successes,
      successRate: this.count === 0 ? null : this.successes / this.count,
      latency,
      // Sums of floats drift in the last digits; rounding to 1e-9 USD keeps replay output byte-stable and readable.
      costUsd: Math.round(this.costUsd * 1e9) / 1e9,
      sketch: sk ? sk.toData() : { zeros: 0, buckets: {} },
    };
  }
}
