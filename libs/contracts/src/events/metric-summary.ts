import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';
import { IsoTimestamp } from '../primitives.ts';

/** Latency statistics of a window; quantiles come from a mergeable sketch with relative error ≤ 2 %. */
export const LatencyStats = z.strictObject({
  count: z.number().int().nonnegative(),
  min: z.number(),
  avg: z.number(),
  max: z.number(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
});
/** Latency statistics. */
export type LatencyStats = z.infer<typeof LatencyStats>;

/** The sketch in a form that can be merged into coarser windows: bucket index to count, plus zero count. */
export const SketchData = z.strictObject({
  zeros: z.number().int().nonnegative(),
  buckets: z.record(z.string(), z.number().int().positive()),
});
/** Serialised latency sketch. */
export type SketchData = z.infer<typeof SketchData>;

/** Per-agent summary of the metrics carried by beats in one window (one minute). */
export const MetricSummaryData = z.strictObject({
  windowStart: IsoTimestamp,
  windowEnd: IsoTimestamp,
  count: z.number().int().nonnegative(),
  successes: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  successRate: z.number().min(0).max(1).nullable(),
  latency: LatencyStats.nullable(),
  costUsd: z.number().nonnegative(),
  sketch: SketchData,
});
/** Metric summary payload. */
export type MetricSummaryData = z.infer<typeof MetricSummaryData>;

/** A metric window closed for an agent. */
export const MetricSummaryEvent = AgentEnvelope.extend({
  type: z.literal('metric-summary'),
  data: MetricSummaryData,
});
/** Metric summary event. */
export type MetricSummaryEvent = z.infer<typeof MetricSummaryEvent>;
