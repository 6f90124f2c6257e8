import { z } from 'zod';
import { IsoTimestamp } from '../primitives.ts';
import { LatencyStats } from '../events/metric-summary.ts';

/** One metric window of an agent (`GET /v1/agents/:id/metrics?resolution=1m|1h`). */
export const MetricPoint = z.object({
  windowStart: IsoTimestamp,
  windowEnd: IsoTimestamp,
  count: z.number().int().nonnegative(),
  successes: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  successRate: z.number().nullable(),
  latency: LatencyStats.nullable(),
  costUsd: z.number().nonnegative(),
});
/** Metric point. */
export type MetricPoint = z.infer<typeof MetricPoint>;
