import { LogClosedError, LogRequestRejectedError } from '../errors.ts';
import type { RecordPosition } from '../log-port.ts';
import { toLogError } from './kafka-errors.ts';
import { messageBytes } from './planned-append.ts';
import type { PlannedAppend, PlannedMessage } from './planned-append.ts';

/** The offset the broker gave the first of one partition's records in a send; the partition's others follow it. */
export interface PartitionAck {
  readonly partition: number;
  readonly baseOffset: number;
}

/** Sends the messages of one batch to the batcher's topic in ONE produce call; resolves once the broker acknowledged. */
export type SendBatch = (messages: PlannedMessage[]) => Promise<readonly PartitionAck[]>;

/** Options of a `ProduceBatcher`: where it sends and how large a batch may grow. */
export interface ProduceBatcherOptions {
  readonly topic: string;
  readonly send: SendBatch;
  /** Most records per batch (kafkajs groups a send's messages by partition in quadratic time, see `MAX_RECORDS_PER_SEND`). */
  readonly maxRecords: number;
  /** Most key and value bytes per partition of a batch: kafkajs makes one record batch per partition, judged by `message.max.bytes`. */
  readonly maxPartitionBytes: number;
}

/** Counters of what batching saved, for tests and benchmarks (like the embedded log's `GroupCommitStats`). */
export interface ProduceBatchStats {
  /** Produce calls made. */
  readonly batches: number;
  /** Appends those calls carried. */
  readonly appends: number;
  /** Records those calls carried. */
  readonly records: number;
  /** Appends in the largest batch so far. */
  readonly largestBatch: number;
}

/** One append waiting for its batch: its records, their bytes per partition, and who waits for the positions. */
interface PendingAppend {
  readonly plan: PlannedAppend;
  readonly bytes: ReadonlyMap<number, number>;
  readonly resolve: (positions: RecordPosition[]) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group produce for one topic: appends submitted while a produce call is in flight, or within the turn of the event
 * loop that submitted the first of them (flushed from `setImmediate`), go to the broker together in ONE produce call,
 * and each append's promise resolves with its own positions only after the broker acknowledged that call. A failed
 * call rejects every append it carried with the same mapped error (retriable `VIGIL_ERR_LOG_UNAVAILABLE` when the
 * broker is unreachable), so each caller decides on its own retry, as it did when it sent alone.
 *
 * One call in flight per topic: the next batch is taken when the previous one is answered. Throughput comes from the
 * batch, not from concurrent calls: while one call is out, everything that arrives waits and goes in the next one. More
 * calls in flight would not keep order per partition: kafkajs's idempotent producer serialises requests per broker
 * (`maxInFlightRequests: 1`, a broker lock per request) and does not handle OUT_OF_ORDER_SEQUENCE, so a failed call
 * followed by a later one that succeeded would land the later records first when the caller retries.
 *
 * Order: appends enter the batch in submission order and their records are concatenated, so a partition's records get
 * consecutive offsets in that order (one record batch per partition per call), which keeps each caller's records in
 * order per partition and callers in arrival order. Bounds: a batch stops before the append that would take it past
 * `maxRecords` or past `maxPartitionBytes` on any partition; an append larger than the bounds by itself is sent alone
 * and whole (as before batching: it lands or fails as one record batch per partition, and the broker judges its size).
 */
export class ProduceBatcher {
  readonly #options: ProduceBatcherOptions;
  #queue: PendingAppend[] = [];
  #inFlight = false;
  #scheduled: NodeJS.Immediate | null = null;
  #closed = false;
  #batches = 0;
  #appends = 0;
  #records = 0;
  #largestBatch = 0;

  constructor(options: ProduceBatcherOptions) {
    this.#options = options;
  }

  /** Queues an append for the next batch; resolves with its records' positions once that batch was acknowledged. */
  submit(plan: PlannedAppend): Promise<RecordPosition[]> {
    if (this.#closed) return Promise.reject(new LogClosedError());
    return new Promise<RecordPosition[]>((resolve, reject) => {
      this.#queue.push({ plan, bytes: bytesPerPartition(plan), resolve, reject });
      this.#schedule();
    });
  }

  /** What the batches have carried so far. */
  stats(): ProduceBatchStats {
    return { batches: this.#batches, appends: this.#appends, records: this.#records, largestBatch: this.#largestBatch };
  }

  /**
   * Rejects the appends not sent yet with `VIGIL_ERR_LOG_CLOSED` and takes no more; a batch in flight settles as its
   * produce call does (the caller disconnects the producer next, as it did with single sends).
   */
  close(): void {
    this.#closed = true;
    if (this.#scheduled !== null) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    const queued = this.#queue;
    this.#queue = [];
    const closed = new LogClosedError();
    for (const append of queued) append.reject(closed);
  }

  #schedule(): void {
    if (this.#inFlight || this.#scheduled !== null || this.#queue.length === 0 || this.#closed) return;
    // setImmediate, not a microtask: requests delivered in the same poll phase join the batch.
    this.#scheduled = setImmediate(() => {
      this.#scheduled = null;
      this.#sendNext();
    });
  }

  #sendNext(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const batch = this.#take();
    this.#inFlight = true;
    void this.#run(batch).finally(() => {
      this.#inFlight = false;
      this.#schedule();
    });
  }

  /** The longest run of queued appends, from the head, within the bounds (at least one). */
  #take(): PendingAppend[] {
    const { maxRecords, maxPartitionBytes } = this.#options;
    const used = new Map<number, number>();
    let records = 0;
    let end = 0;
    for (; end < this.#queue.length; end++) {
      const next = this.#queue[end]!;
      if (end > 0) {
        if (records + next.plan.messages.length > maxRecords) break;
        let fits = true;
        for (const [partition, bytes] of next.bytes) {
          if ((used.get(partition) ?? 0) + bytes > maxPartitionBytes) fits = false;
        }
        if (!fits) break;
      }
      records += next.plan.messages.length;
      for (const [partition, bytes] of next.bytes) used.set(partition, (used.get(partition) ?? 0) + bytes);
    }
    return this.#queue.splice(0, end);
  }

  async #run(batch: readonly PendingAppend[]): Promise<void> {
    const messages: PlannedMessage[] = [];
    for (const append of batch) for (const message of append.plan.messages) messages.push(message);
    this.#batches++;
    this.#appends += batch.length;
    this.#records += messages.length;
    this.#largestBatch = Math.max(this.#largestBatch, batch.length);
    let acks: readonly PartitionAck[];
    try {
      acks = await this.#options.send(messages);
    } catch (err) {
      const mapped = toLogError(err, { operation: 'append', topic: this.#options.topic });
      for (const append of batch) append.reject(mapped);
      return;
    }
    this.#settle(batch, acks);
  }

  /** Hands each append its positions: a partition's records got consecutive offsets from its base, in batch order. */
  #settle(batch: readonly PendingAppend[], acks: readonly PartitionAck[]): void {
    const next = new Map<number, number>();
    for (const ack of acks) next.set(ack.partition, ack.baseOffset);
    for (const append of batch) {
      const positions: RecordPosition[] = [];
      let missing: number | undefined;
      // Every record advances its partition's counter, even in an append that fails, so the appends after it get theirs.
      for (const partition of append.plan.partitions) {
        const offset = next.get(partition);
        if (offset === undefined) {
          missing ??= partition;
          continue;
        }
        next.set(partition, offset + 1);
        positions.push({ partition, offset });
      }
      if (missing === undefined) {
        append.resolve(positions);
      } else {
        append.reject(
          new LogRequestRejectedError(`append to "${this.#options.topic}" got no offset for partition ${missing}: partitioner disagreement`, 'PARTITIONER_MISMATCH'),
        );
      }
    }
  }
}

function bytesPerPartition(plan: PlannedAppend): Map<number, number> {
  const bytes = new Map<number, number>();
  plan.messages.forEach((message, i) => {
    const partition = plan.partitions[i]!;
    bytes.set(partition, (bytes.get(partition) ?? 0) + messageBytes(message));
  });
  return bytes;
}
