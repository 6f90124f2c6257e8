import type { LatencyStats, MetricPoint, SketchData } from '@vigil/contracts';
import { LatencySketch } from '@vigil/core';

/** One stored metric minute, as the roll-up needs it. */
export interface MetricMinute {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly count: number;
  readonly successes: number;
  readonly failures: number;
  readonly costUsd: number;
  readonly latency: LatencyStats | null;
  /** Exact sum of the minute's latencies (avg × count), so the hour's average is exact too. */
  readonly latencySum: number;
  readonly sketch: SketchData;
}

/** A row of the minute or stored-hour table, as SQLite returns it. */
export interface MinuteRow {
  window_start: number;
  window_end: number;
  count: number;
  successes: number;
  failures: number;
  cost_usd: number;
  latency: string | null;
  latency_sum: number;
  sketch: string;
}

/** A stored row as the roll-up reads it. */
export function minuteFromRow(row: MinuteRow): MetricMinute {
  return {
    windowStart: row.window_start,
    windowEnd: row.window_end,
    count: row.count,
    successes: row.successes,
    failures: row.failures,
    costUsd: row.cost_usd,
    latency: row.latency === null ? null : (JSON.parse(row.latency) as LatencyStats),
    latencySum: row.latency_sum,
    sketch: JSON.parse(row.sketch) as SketchData,
  };
}

/** Length of a 1 h window. */
export const HOUR_MS = 3_600_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Cost sums drift in the last float digits; rounded like the detector rounds a minute's cost. */
function roundCost(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

/** A stored minute as served. */
export function minuteToPoint(minute: MetricMinute): MetricPoint {
  return {
    windowStart: iso(minute.windowStart),
    windowEnd: iso(minute.windowEnd),
    count: minute.count,
    successes: minute.successes,
    failures: minute.failures,
    successRate: minute.count === 0 ? null : minute.successes / minute.count,
    latency: minute.latency,
    costUsd: minute.costUsd,
  };
}

/**
 * One hour rolled up from its minutes: counts and costs summed, min/max exact, average from the exact sums, and
 * quantiles from the merge of the minutes' sketches (exact merge: bucket counts add, so the hour's quantiles carry
 * the same relative-error bound as a minute's).
 */
export function rollUpHour(hourStart: number, minutes: readonly MetricMinute[]): MetricPoint {
  return minuteToPoint(mergeIntoHour(hourStart, minutes));
}

/**
 * Several minutes (or an hour already rolled up plus minutes of the same hour) merged into one stored hour, keeping
 * the sketch and exact sums, so that the hour can be merged again and served exactly like one rolled up on read.
 */
export function mergeIntoHour(hourStart: number, parts: readonly MetricMinute[]): MetricMinute {
  let count = 0;
  let successes = 0;
  let failures = 0;
  let costUsd = 0;
  let merged: LatencySketch | null = null;
  for (const m of parts) {
    count += m.count;
    successes += m.successes;
    failures += m.failures;
    costUsd += m.costUsd;
    if (m.latency !== null && m.latency.count > 0) {
      const sketch = LatencySketch.fromData(m.sketch, { count: m.latency.count, min: m.latency.min, max: m.latency.max, sum: m.latencySum });
      if (merged === null) merged = sketch;
      else merged.merge(sketch);
    }
  }
  return {
    windowStart: hourStart,
    windowEnd: hourStart + HOUR_MS,
    count,
    successes,
    failures,
    costUsd: roundCost(costUsd),
    latency:
      merged === null
        ? null
        : {
            count: merged.count,
            min: merged.min,
            avg: merged.sum / merged.count,
            max: merged.max,
            p50: merged.quantile(0.5),
            p95: merged.quantile(0.95),
            p99: merged.quantile(0.99),
          },
    latencySum: merged === null ? 0 : merged.sum,
    sketch: merged === null ? (parts[0]?.sketch ?? emptySketch()) : merged.toData(),
  };
}

function emptySketch(): SketchData {
  return new LatencySketch().toData();
}
