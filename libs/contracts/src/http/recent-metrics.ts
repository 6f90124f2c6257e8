import { z } from 'zod';

/** One agent's metrics over its recent minutes, as the fleet list shows them (`GET /v1/metrics/recent`). */
export const RecentMetrics = z.object({
  agentId: z.string(),
  /** Minute windows that held samples. */
  windows: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  successes: z.number().int().nonnegative(),
  /** successes / count, null without samples. */
  successRate: z.number().nullable(),
  /** The worst minute's p95 latency (ms): per-minute sketches are not merged here; null without latency samples. */
  latencyP95Ms: z.number().nullable(),
  costUsd: z.number().nonnegative(),
});
/** Recent metrics of one agent. */
export type RecentMetrics = z.infer<typeof RecentMetrics>;

/** Answer of `GET /v1/metrics/recent`: one entry per asked agent that has metric windows in the range. */
export const RecentMetricsResponse = z.object({
  from: z.string(),
  to: z.string(),
  items: z.array(RecentMetrics),
});
/** Recent metrics answer. */
export type RecentMetricsResponse = z.infer<typeof RecentMetricsResponse>;
