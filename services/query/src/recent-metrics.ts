import type { MetricPoint, RecentMetrics } from '@vigil/contracts';

/**
 * Folds an agent's minute windows into one line of the fleet list: counts and cost add up exactly; p95 is the worst
 * minute's, because minute points carry statistics, not sketches, and an upper bound is what an operator scans for.
 */
export function summariseRecent(agentId: string, points: readonly MetricPoint[]): RecentMetrics {
  let count = 0;
  let successes = 0;
  let costUsd = 0;
  let p95: number | null = null;
  for (const p of points) {
    count += p.count;
    successes += p.successes;
    costUsd += p.costUsd;
    if (p.latency !== null && p.latency.count > 0) p95 = p95 === null ? p.latency.p95 : Math.max(p95, p.latency.p95);
  }
  return {
    agentId,
    windows: points.length,
    count,
    successes,
    successRate: count === 0 ? null : successes / count,
    latencyP95Ms: p95,
    costUsd: Math.round(costUsd * 1e9) / 1e9,
  };
}
