import type { Logger } from 'pino';
import type { ConsumerHandlers, ConsumerOptions, LogConsumer } from '../log-port.ts';
import { ConsumerAlreadyStartedError } from '../errors.ts';
import type { ConsumerBackend } from './consumer-backend.ts';
import type { ConsumerGroup, GroupMember } from './consumer-group.ts';
import { PartitionWorker } from './partition-worker.ts';
import { Wakeup, retryBackoffMs } from './wakeup.ts';

/** Default largest batch, as documented on `ConsumerOptions.maxBatchSize`. */
const DEFAULT_MAX_BATCH_SIZE = 500;

/**
 * A consumer of the embedded log: a member of its group's in-process coordinator, running one `PartitionWorker` per
 * partition it owns. `onAssigned` that throws is logged and retried with backoff (its partitions wait, since handling
 * them without the state it loads would be wrong); `onRevoked` that throws is logged.
 */
export class EmbeddedConsumer implements LogConsumer, GroupMember {
  readonly #backend: ConsumerBackend;
  readonly #options: Required<ConsumerOptions>;
  readonly #logger: Logger;
  readonly #backoff = new Wakeup();
  readonly #workers = new Map<number, PartitionWorker>();
  readonly #onStopped: (consumer: EmbeddedConsumer) => void;
  #state: 'new' | 'running' | 'stopped' = 'new';
  #stopping = false;
  #handlers: ConsumerHandlers | null = null;
  #group: ConsumerGroup | null = null;
  #joined: Promise<void> | null = null;
  #stopped: Promise<void> | null = null;

  constructor(backend: ConsumerBackend, options: ConsumerOptions, onStopped: (consumer: EmbeddedConsumer) => void) {
    this.#backend = backend;
    this.#options = {
      groupId: options.groupId,
      topic: options.topic,
      fromBeginning: options.fromBeginning ?? true,
      autoCommit: options.autoCommit ?? true,
      maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    };
    this.#logger = backend.logger.child({ groupId: options.groupId, topic: options.topic });
    this.#onStopped = onStopped;
  }

  /** Joins the group; resolves once the partitions given to this consumer are assigned (their `onAssigned` done). */
  async start(handlers: ConsumerHandlers): Promise<void> {
    if (this.#state !== 'new') throw new ConsumerAlreadyStartedError(this.#options.groupId, this.#options.topic);
    this.#state = 'running';
    this.#handlers = handlers;
    try {
      const partitions = this.#backend.partitionCountSync(this.#options.topic);
      this.#group = this.#backend.group(this.#options.groupId, this.#options.topic, partitions);
    } catch (err) {
      this.#state = 'stopped';
      this.#onStopped(this);
      throw err;
    }
    this.#joined = this.#group.join(this);
    await this.#joined;
  }

  /** Leaves the group after the batches in hand; resolves when every partition is revoked. Safe to call twice. */
  stop(): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'stopped';
      this.#onStopped(this);
      return Promise.resolve();
    }
    if (this.#state === 'stopped' && this.#stopped === null) return Promise.resolve();
    this.#stopped ??= this.#leave();
    return this.#stopped;
  }

  async #leave(): Promise<void> {
    this.#stopping = true;
    this.#backoff.notify();
    await this.#joined?.catch(() => undefined);
    await this.#group?.leave(this);
    this.#state = 'stopped';
    this.#onStopped(this);
  }

  /** @internal Called by the group coordinator. */
  async assign(partitions: readonly number[]): Promise<void> {
    const handlers = this.#handlers;
    if (handlers === null) return;
    for (let attempt = 0; !this.#stopping; attempt++) {
      try {
        await handlers.onAssigned?.(partitions);
        break;
      } catch (err) {
        this.#logger.error({ err, partitions, attempt }, 'onAssigned failed; retrying after a backoff');
        await this.#backoff.wait(retryBackoffMs(attempt));
      }
    }
    if (this.#stopping) return;
    for (const partition of partitions) {
      const worker = new PartitionWorker(this.#backend, {
        groupId: this.#options.groupId,
        topic: this.#options.topic,
        partition,
        fromBeginning: this.#options.fromBeginning,
        autoCommit: this.#options.autoCommit,
        maxBatchSize: this.#options.maxBatchSize,
        eachBatch: (batch) => handlers.eachBatch(batch),
      });
      this.#workers.set(partition, worker);
      worker.start();
    }
  }

  /** @internal Called by the group coordinator. */
  async revoke(partitions: readonly number[]): Promise<void> {
    const owned = partitions.filter((p) => this.#workers.has(p));
    await Promise.all(owned.map((p) => this.#workers.get(p)!.stop()));
    for (const p of owned) this.#workers.delete(p);
    if (owned.length === 0) return;
    try {
      await this.#handlers?.onRevoked?.(owned);
    } catch (err) {
      this.#logger.error({ err, partitions: owned }, 'onRevoked failed');
    }
  }
}
