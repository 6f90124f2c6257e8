/**
 * A bounded memo of decoded log messages, keyed by the message's text. Several consumers in one thread read the same
 * records (in `vigil up`'s writer thread the detector and the projector both read every beat; the projector and the
 * notifier every transition), and parsing plus validating a message costs far more than looking its text up, so the
 * second reader gets the first one's result. Decoding is a pure function of the text, so a hit returns what a fresh
 * decode would; decoded events are treated as read-only everywhere (no consumer mutates an event it was given).
 */
export class DecodeMemo<T> {
  readonly #entries = new Map<string, T>();
  readonly #capacity: number;
  /**
   * The texts in insertion order, as a ring: once full, `#oldest` is the next to go. Not the Map's own order: a Map
   * keeps deleted entries as holes until it rehashes, so finding its first live key walks every hole before it, which
   * cost 8 µs a beat at 16,384 entries (measured in `vigil up`'s writer thread under batches).
   */
  readonly #order: string[] = [];
  #oldest = 0;
  #hits = 0;
  #misses = 0;

  /** `capacity`: texts kept; the oldest is dropped first (consumers read each record within a few batches). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`DecodeMemo capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  /** The decoded value of `text`: remembered, or `decode(text)` (remembered only if it returns; errors are not kept). */
  get(text: string, decode: (text: string) => T): T {
    const known = this.#entries.get(text);
    if (known !== undefined) {
      this.#hits++;
      return known;
    }
    this.#misses++;
    const value = decode(text);
    this.remember(text, value);
    return value;
  }

  /** Keeps `value` as the decoding of `text`. */
  remember(text: string, value: T): void {
    if (this.#entries.has(text)) {
      this.#entries.set(text, value);
      return;
    }
    if (this.#order.length < this.#capacity) {
      this.#order.push(text);
    } else {
      this.#entries.delete(this.#order[this.#oldest]!);
      this.#order[this.#oldest] = text;
      this.#oldest = (this.#oldest + 1) % this.#capacity;
    }
    this.#entries.set(text, value);
  }

  /** Lookups answered from the memo and decoded afresh so far (tests, benchmarks). */
  stats(): { hits: number; misses: number; size: number } {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }
}
