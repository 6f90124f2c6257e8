import type { Logger } from 'pino';
import type { RecordBatch } from '../log-port.ts';
import type { ConsumerBackend } from './consumer-backend.ts';
import { Wakeup, retryBackoffMs } from './wakeup.ts';

/** What a partition worker needs to know of its consumer. */
export interface PartitionWorkerOptions {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly fromBeginning: boolean;
  readonly autoCommit: boolean;
  readonly maxBatchSize: number;
  readonly eachBatch: (batch: RecordBatch) => Promise<void>;
}

/**
 * Delivers one partition to one consumer: batches strictly in offset order, one at a time (the next read happens only
 * after `eachBatch` resolved), a failing batch retried from the same offset after a backoff (never skipped), and with
 * `autoCommit` the next offset committed after each batch. Reads are at least `lingerMs` apart unless the last one
 * filled a batch, so that under load a batch carries what accumulated rather than one turn's worth of records.
 */
export class PartitionWorker {
  readonly #backend: ConsumerBackend;
  readonly #options: PartitionWorkerOptions;
  readonly #logger: Logger;
  readonly #wakeup = new Wakeup();
  /** Ends a linger early on stop (appends must not: they are what the linger waits for). */
  readonly #stopSignal = new Wakeup();
  #stopped = false;
  #done: Promise<void> | null = null;

  constructor(backend: ConsumerBackend, options: PartitionWorkerOptions) {
    this.#backend = backend;
    this.#options = options;
    this.#logger = backend.logger.child({ groupId: options.groupId, topic: options.topic, partition: options.partition });
  }

  /** Starts the delivery loop in the background. */
  start(): void {
    this.#done ??= this.#run();
  }

  /** Stops after the batch in hand (and its commit); resolves when the loop has ended. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#wakeup.notify();
    this.#stopSignal.notify();
    return this.#done ?? Promise.resolve();
  }

  async #run(): Promise<void> {
    const { groupId, topic, partition, autoCommit, maxBatchSize } = this.#options;
    const unsubscribe = this.#backend.subscribe(topic, () => this.#wakeup.notify());
    let untrack: (() => void) | null = null;
    let position: number | null = null;
    let attempt = 0;
    let lastRead = Number.NEGATIVE_INFINITY;
    let lastWasFull = false;
    try {
      while (!this.#stopped) {
        try {
          if (position === null) {
            position = this.#initialPosition();
            untrack = this.#backend.trackLive({ groupId, topic, partition, startOffset: position });
          }
          const linger = lastWasFull ? 0 : lastRead + this.#backend.lingerMs - performance.now();
          if (linger > 0) {
            await this.#stopSignal.wait(linger);
            if (this.#stopped) break;
          }
          lastRead = performance.now();
          const records = this.#backend.readSync(topic, partition, position, maxBatchSize);
          lastWasFull = records.length === maxBatchSize;
          if (records.length === 0) {
            await this.#wakeup.wait(this.#backend.idleWaitMs);
            continue;
          }
          await this.#options.eachBatch({ topic, partition, records });
          position = records[records.length - 1]!.offset + 1;
          attempt = 0;
        } catch (err) {
          this.#logger.error({ err, offset: position, attempt }, 'batch failed; retrying from the same offset after a backoff');
          await this.#wakeup.wait(retryBackoffMs(attempt++));
          continue;
        }
        if (autoCommit) await this.#commit(position);
      }
    } finally {
      unsubscribe();
      untrack?.();
    }
  }

  /** The committed offset, or the beginning or end of the partition when the group never committed here. */
  #initialPosition(): number {
    const { groupId, topic, partition, fromBeginning, autoCommit } = this.#options;
    const committed = this.#backend.committedOffsetSync(groupId, topic, partition);
    if (committed !== null) return committed;
    if (fromBeginning) return 0;
    const end = this.#backend.endOffsetSync(topic, partition);
    // Committing the starting point keeps a restart from skipping what arrives before the first batch is handled.
    if (autoCommit) this.#backend.commitSync(groupId, topic, partition, end);
    return end;
  }

  /** Awaited, so that a partition handed to another consumer after `stop()` starts after what this one handled. */
  async #commit(nextOffset: number): Promise<void> {
    const { groupId, topic, partition } = this.#options;
    try {
      await this.#backend.commit(groupId, topic, partition, nextOffset);
    } catch (err) {
      // The batch was handled; the next successful commit covers it. Re-delivering it would duplicate its effects.
      this.#logger.warn({ err, offset: nextOffset }, 'offset commit failed; the next batch commit will cover it');
    }
  }
}
