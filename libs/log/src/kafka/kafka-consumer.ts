import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ConsumerAlreadyStartedError } from '../errors.ts';
import type { ConsumerHandlers, ConsumerOptions, LogConsumer } from '../log-port.ts';
import { toLogError } from './kafka-errors.ts';
import type { ResolvedKafkaLogOptions } from './options.ts';
import { toLogRecord } from './records.ts';

/** kafkajs's error for "the group is rebalancing" (heartbeat or commit): the runner rejoins when it sees it. */
function isRebalancing(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION';
}

/** What the owning `KafkaLog` learns from its consumers. */
export interface KafkaLogConsumerHooks {
  /** The consumer stopped; the log forgets it. */
  onStopped(consumer: KafkaLogConsumer): void;
  /** The consumer was assigned partitions it did not own: transactional producers must start a new epoch. */
  onPartitionsGained(): void;
}

/**
 * A consumer in a Kafka consumer group (kafkajs `eachBatch`, read_committed).
 *
 * Assignment callbacks. kafkajs has no callback before partitions are revoked; it only reports the outcome of each
 * join (GROUP_JOIN). What kafkajs does guarantee is the order: it rejoins only after the batch in hand has finished
 * (the fetch loop stops and waits for its workers), and with `autoCommit` it commits what was resolved before it
 * rejoins. So the consumer:
 *  - hands records over in chunks of `maxBatchSize`, and after each chunk resolves its last offset, commits it (when
 *    `autoCommit`), then heartbeats, so a long batch neither times out the session nor leaves handled records
 *    uncommitted when a rebalance interrupts it (the rest of the batch is fetched again by whoever owns the partition);
 *  - once a heartbeat reports a rebalance, hands nothing more over until the next join, so no record is handled by a
 *    member that is about to lose its partition;
 *  - on each join, diffs the new assignment against the old: `onRevoked(lost)` then `onAssigned(gained)`, and delivers
 *    no batch before both resolved. If the member id changed (the coordinator had expelled this member, so others may
 *    have owned its partitions meanwhile) or the consumer crashed, everything is revoked and assigned afresh;
 *  - on `stop()`, calls `onRevoked(all)` after kafkajs has finished the batch in hand and left the group.
 * With `autoCommit: false`, offsets are committed by `transaction()` (sendOffsets) before the batch resolves, so the
 * same guarantees hold; the partition's transactional id fences a member that lost it (see `transaction()`).
 */
export class KafkaLogConsumer implements LogConsumer {
  readonly #kafka: Kafka;
  readonly #options: ConsumerOptions;
  readonly #config: ResolvedKafkaLogOptions;
  readonly #logger: Logger;
  readonly #hooks: KafkaLogConsumerHooks;
  #consumer: Consumer | undefined;
  #handlers: ConsumerHandlers | undefined;
  #started = false;
  #memberId: string | null = null;
  #owned = new Set<number>();
  /** Chain of assignment callbacks; every batch waits for it, so none is delivered before `onAssigned` resolved. */
  #assignment: Promise<void> = Promise.resolve();
  /** Set when a heartbeat reported a rebalance: deliver nothing until the next join. */
  #rejoining = false;

  constructor(kafka: Kafka, options: ConsumerOptions, config: ResolvedKafkaLogOptions, logger: Logger, hooks: KafkaLogConsumerHooks) {
    this.#kafka = kafka;
    this.#options = options;
    this.#config = config;
    this.#logger = logger.child({ groupId: options.groupId, topic: options.topic });
    this.#hooks = hooks;
  }

  /** Joins the group and starts delivering; resolves after the first join and its `onAssigned`. */
  async start(handlers: ConsumerHandlers): Promise<void> {
    if (this.#started) throw new ConsumerAlreadyStartedError(this.#options.groupId, this.#options.topic);
    this.#started = true;
    this.#handlers = handlers;
    const consumer = this.#kafka.consumer({
      groupId: this.#options.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: this.#config.sessionTimeoutMs,
      heartbeatInterval: this.#config.heartbeatIntervalMs,
      rebalanceTimeout: this.#config.rebalanceTimeoutMs,
      maxWaitTimeInMs: this.#config.maxWaitTimeMs,
      maxBytesPerPartition: this.#config.fetchMaxBytesPerPartition,
      // kafkajs's default total (10 MiB) would otherwise cap a fetch of several partitions below their per-partition size.
      maxBytes: Math.max(10 * 1024 * 1024, this.#config.fetchMaxBytesPerPartition * 8),
      // kafkajs stops a consumer for good after a non-retriable error (a fenced transaction, a rejected request) and
      // the process would stay up doing nothing with /readyz green. A long-running service restarts instead: the
      // consumer rejoins, is assigned afresh, and the transactional producer is re-initialised on its partitions.
      retry: {
        restartOnFailure: async (err: Error) => {
          this.#logger.error({ err }, 'kafka consumer failed; restarting it');
          return true;
        },
      },
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.#joined(payload.memberId, payload.memberAssignment));
    consumer.on(consumer.events.CRASH, ({ payload }) => this.#crashed(payload.error, payload.restart));
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.#options.topic, fromBeginning: this.#options.fromBeginning ?? true });
      // kafkajs's run() resolves after the first join and sync (the runner joins before it starts fetching).
      await consumer.run({
        autoCommit: this.#options.autoCommit ?? true,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.#deliver(payload),
      });
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw toLogError(err, { operation: 'consumer start', topic: this.#options.topic });
    }
    try {
      await this.#assignment;
    } catch (err) {
      // The caller's onAssigned failed: its error, unchanged, is the reason start() failed.
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /** Finishes the batch in hand, leaves the group, then revokes every partition it owned. */
  async stop(): Promise<void> {
    const consumer = this.#consumer;
    if (consumer === undefined) return;
    this.#consumer = undefined;
    try {
      await consumer.disconnect();
      await this.#assignment.catch(() => undefined);
      await this.#revokeAll();
    } finally {
      this.#hooks.onStopped(this);
    }
  }

  #joined(memberId: string, assignment: Readonly<Record<string, readonly number[]>>): void {
    const now = new Set(assignment[this.#options.topic] ?? []);
    const continuing = this.#memberId !== null && this.#memberId === memberId;
    const before = this.#owned;
    const revoked = [...before].filter((p) => !continuing || !now.has(p)).sort((a, b) => a - b);
    const assigned = [...now].filter((p) => !continuing || !before.has(p)).sort((a, b) => a - b);
    this.#memberId = memberId;
    this.#owned = now;
    this.#rejoining = false;
    this.#logger.info({ memberId, partitions: [...now], revoked, assigned }, 'kafka consumer joined its group');
    // Before any batch of the gained partitions is delivered (batches wait for #assignment, set below).
    if (assigned.length > 0) this.#hooks.onPartitionsGained();
    const handlers = this.#handlers;
    this.#assignment = this.#assignment
      .catch(() => undefined)
      .then(async () => {
        if (revoked.length > 0) await handlers?.onRevoked?.(revoked);
        if (assigned.length > 0) await handlers?.onAssigned?.(assigned);
      })
      .catch((err: unknown) => {
        // Forget the member id so the next join revokes and assigns everything again, then fail the batches until
        // then: kafkajs retries them and eventually restarts the consumer, which rejoins.
        this.#memberId = null;
        this.#logger.error({ err, revoked, assigned }, 'kafka consumer assignment callback failed');
        throw err;
      });
  }

  #crashed(error: Error, restart: boolean): void {
    this.#logger.error({ err: error, restart }, restart ? 'kafka consumer crashed, restarting' : 'kafka consumer crashed and stopped');
    // A crashed consumer has left the group (kafkajs disconnects it); whatever it rejoins with is a fresh assignment.
    this.#memberId = null;
    this.#assignment = this.#assignment.catch(() => undefined).then(() => this.#revokeAll());
  }

  async #revokeAll(): Promise<void> {
    const revoked = [...this.#owned].sort((a, b) => a - b);
    this.#owned = new Set();
    if (revoked.length > 0) await this.#handlers?.onRevoked?.(revoked);
  }

  async #deliver(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    await this.#assignment;
    const handlers = this.#handlers;
    // A batch fetched for a partition this member no longer owns, or fetched while a rebalance is pending: leave it
    // unresolved, so it is fetched again by the owner after the join.
    if (handlers === undefined || this.#rejoining || !this.#owned.has(batch.partition)) return;
    const autoCommit = this.#options.autoCommit ?? true;
    const size = this.#options.maxBatchSize ?? 500;
    const messages = batch.messages;
    for (let start = 0; start < messages.length; start += size) {
      if (!isRunning() || isStale() || this.#rejoining) return;
      const chunk = messages.slice(start, start + size);
      const records = chunk.map((m) => toLogRecord(batch.topic, batch.partition, m));
      await handlers.eachBatch({ topic: batch.topic, partition: batch.partition, records });
      const last = chunk[chunk.length - 1]!;
      // Resolving the batch's last message also resolves a transaction marker behind it (kafkajs), so the
      // committed offset moves past the marker and `committedOffset()` equals the end offset once caught up.
      resolveOffset(last.offset);
      if (autoCommit) await commitOffsetsIfNecessary(payload.uncommittedOffsets());
      try {
        await heartbeat();
      } catch (err) {
        if (!isRebalancing(err)) throw err;
        this.#rejoining = true;
        throw err;
      }
    }
  }
}
