import type { SketchData } from '@vigil/contracts';

/** Relative accuracy of the sketch: any quantile is within 1 % of a true sample value (the contract asks ≤ 2 %). */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values below this (sub-nanosecond latencies) count as zero: they carry no information about a latency. */
const MIN_INDEXABLE = 1e-6;

/**
 * A mergeable quantile sketch with relative-error guarantees (the DDSketch idea: logarithmic buckets). Chosen over
 * t-digest because merging is exact (bucket counts add), which the 1 h roll-up of 1 min windows relies on.
 */
export class LatencySketch {
  private readonly buckets = new Map<number, number>();
  private zeros = 0;
  /** Number of values added. */
  count = 0;
  /** Smallest value added (exact). */
  min = Number.POSITIVE_INFINITY;
  /** Largest value added (exact). */
  max = Number.NEGATIVE_INFINITY;
  /** Sum of values added (exact), for the average. */
  sum = 0;

  /** Adds one non-negative value. */
  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value < MIN_INDEXABLE) {
      this.zeros++;
      return;
    }
    const index = Math.ceil(Math.log(value) / LOG_GAMMA);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
  }

  /** Adds every value of another sketch into this one. */
  merge(other: LatencySketch): void {
    this.count += other.count;
    this.sum += other.sum;
    this.zeros += other.zeros;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    for (const [index, n] of other.buckets) this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
  }

  /** The value at quantile q (0..1), within the relative accuracy; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = q * (this.count - 1);
    let seen = this.zeros;
    if (rank < seen) return 0;
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const index of indexes) {
      seen += this.buckets.get(index)!;
      if (rank < seen) {
        const estimate = (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
        return Math.min(Math.max(estimate, this.min), this.max);
      }
    }
    return this.max;
  }

  /** The serialisable form stored with metric summaries (bucket counts only; min/max/sum travel beside it). */
  toData(): SketchData {
    const buckets: Record<string, number> = {};
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) buckets[String(index)] = this.buckets.get(index)!;
    return { zeros: this.zeros, buckets };
  }

  /** Rebuilds a sketch from its data plus the exact count/min/max/sum stored beside it. */
  static fromData(data: SketchData, exact: { count: number; min: number; max: number; sum: number }): LatencySketch {
    const sketch = new LatencySketch();
    sketch.zeros = data.zeros;
    for (const [key, n] of Object.entries(data.buckets)) sketch.buckets.set(Number(key), n);
    sketch.count = exact.count;
    sketch.min = exact.count === 0 ? Number.POSITIVE_INFINITY : exact.min;
    sketch.max = exact.count === 0 ? Number.NEGATIVE_INFINITY : exact.max;
    sketch.sum = exact.sum;
    return sketch;
  }
}
