import type { MetricSample } from '@vigil/contracts';

/**
 * Samples reported since the last accepted beat. Bounded: when the platform is unreachable for long, the oldest
 * samples go first (and are counted) so an agent's memory never grows without limit.
 */
export class MetricBuffer {
  #samples: MetricSample[] = [];
  #dropped = 0;

  constructor(private readonly capacity: number) {}

  /** Samples waiting for a beat. */
  get size(): number {
    return this.#samples.length;
  }

  /** Samples thrown away because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds one sample, evicting the oldest when full. */
  push(sample: MetricSample): void {
    this.#samples.push(sample);
    this.#trim();
  }

  /** Hands every buffered sample to a beat and empties the buffer. */
  take(): MetricSample[] {
    const out = this.#samples;
    this.#samples = [];
    return out;
  }

  /** Puts back the samples of a beat that failed, ahead of those reported meanwhile (order is preserved). */
  restore(samples: readonly MetricSample[]): void {
    this.#samples = [...samples, ...this.#samples];
    this.#trim();
  }

  /** Counts samples given up on (a beat the server rejected for good). */
  discard(count: number): void {
    this.#dropped += count;
  }

  #trim(): void {
    const excess = this.#samples.length - this.capacity;
    if (excess > 0) {
      this.#samples.splice(0, excess);
      this.#dropped += excess;
    }
  }
}
