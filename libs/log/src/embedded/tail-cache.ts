import type { LogRecord } from '../log-port.ts';

/** One record this process appended, as it was committed. */
interface TailRecord {
  readonly key: string | null;
  readonly value: string;
  readonly timestamp: number;
  /** The producer's decoded value (`ProduceRecord.decoded`), or undefined. */
  readonly decoded: unknown;
}

/** The newest committed records of one partition, at consecutive offsets from `start`. */
interface PartitionTail {
  start: number;
  records: TailRecord[];
}

/**
 * The records this log instance appended most recently, per partition, kept after their COMMIT so that the consumers
 * of the same instance (in `vigil up`'s writer thread: the detector, the projector and the notifier, each reading what
 * was just appended) get them from memory instead of reading them back from SQLite, with the producer's decoded value
 * when it gave one (`ProduceRecord.decoded`); without one, both consumers of a record get the same `value` string, so
 * the second decode of it is a memo hit (see DecodeMemo in @vigil/contracts).
 *
 * Only what is certain is served: a tail holds consecutive offsets that this instance committed; when another
 * connection appended to the partition in between (the offsets of a new group do not follow the tail), the tail
 * starts again, and any read it does not cover from its first offset goes to SQLite. Compacted topics are never
 * cached (compaction deletes records a tail would still serve), nor are writes of a group that rolled back (records
 * are staged until the group's COMMIT).
 */
export class TailCache {
  readonly #capacity: number;
  readonly #tails = new Map<string, Map<number, PartitionTail>>();
  #staged: { topic: string; partition: number; offset: number; record: TailRecord }[] = [];
  #hits = 0;
  #misses = 0;

  /** `capacity`: records kept per partition (the oldest are dropped first). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`TailCache capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  /** Notes a record written in the open transaction (with its producer's decoded value, if any); it joins the tail only at `publish()`. */
  stage(topic: string, partition: number, offset: number, key: string | null, value: string, timestamp: number, decoded?: unknown): void {
    this.#staged.push({ topic, partition, offset, record: { key, value, timestamp, decoded } });
  }

  /** The open transaction rolled back (or a new one began): what it staged never happened. */
  discard(): void {
    this.#staged = [];
  }

  /** The open transaction committed: its staged records join their partitions' tails. */
  publish(): void {
    for (const { topic, partition, offset, record } of this.#staged) {
      let partitions = this.#tails.get(topic);
      if (partitions === undefined) this.#tails.set(topic, (partitions = new Map()));
      const tail = partitions.get(partition);
      if (tail === undefined || tail.start + tail.records.length !== offset) {
        // First record, or offsets written by another connection in between: start a new run here.
        partitions.set(partition, { start: offset, records: [record] });
        continue;
      }
      tail.records.push(record);
      if (tail.records.length > this.#capacity * 2) {
        // Trimmed in steps of `capacity`, not one record per append, so that a full tail costs no shift per record.
        const drop = tail.records.length - this.#capacity;
        tail.records = tail.records.slice(drop);
        tail.start += drop;
      }
    }
    this.#staged = [];
  }

  /**
   * Records of the partition from `fromOffset`, at most `limit`, if the tail holds `fromOffset`; else null (read
   * SQLite). What it returns is a prefix of what SQLite would: the tail may end before the partition does.
   */
  read(topic: string, partition: number, fromOffset: number, limit: number): LogRecord[] | null {
    const tail = this.#tails.get(topic)?.get(partition);
    if (tail === undefined || fromOffset < tail.start || fromOffset >= tail.start + tail.records.length || limit <= 0) {
      this.#misses++;
      return null;
    }
    this.#hits++;
    const first = fromOffset - tail.start;
    const last = Math.min(tail.records.length, first + limit);
    const out: LogRecord[] = new Array<LogRecord>(last - first);
    for (let i = first; i < last; i++) {
      const r = tail.records[i]!;
      out[i - first] =
        r.decoded === undefined
          ? { topic, partition, offset: tail.start + i, key: r.key, value: r.value, timestamp: r.timestamp }
          : { topic, partition, offset: tail.start + i, key: r.key, value: r.value, timestamp: r.timestamp, decoded: r.decoded };
    }
    return out;
  }

  /** Forgets every tail (records may have been deleted, e.g. by retention); new appends start new ones. */
  clear(): void {
    this.#tails.clear();
  }

  /** Reads served from memory and sent to SQLite so far (tests, benchmarks). */
  stats(): { hits: number; misses: number } {
    return { hits: this.#hits, misses: this.#misses };
  }
}
