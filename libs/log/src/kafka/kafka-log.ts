import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners } from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { InvalidLogOptionsError, LogClosedError, PartitionOutOfRangeError, TopicNotFoundError, TopicPartitionsMismatchError } from '../errors.ts';
import type { ConsumerOptions, EventLog, LogConsumer, LogRecord, LogTransaction, ProduceRecord, RecordPosition, TopicOptions } from '../log-port.ts';
import { partitionForKey } from '../partitioner.ts';
import { KafkaLogConsumer } from './kafka-consumer.ts';
import { rootCause, toLogError } from './kafka-errors.ts';
import { kafkajsLogLevel, pinoLogCreator } from './kafkajs-logger.ts';
import { parseKafkaLogOptions } from './options.ts';
import type { KafkaLogOptions, ResolvedKafkaLogOptions } from './options.ts';
import { messageBytes } from './planned-append.ts';
import type { PlannedAppend } from './planned-append.ts';
import { ProduceBatcher } from './produce-batcher.ts';
import type { ProduceBatchStats } from './produce-batcher.ts';
import { readPartition } from './read-partition.ts';
import { RecordedTransaction } from './recorded-transaction.ts';
import type { RecordedOffset } from './recorded-transaction.ts';

/** A transactional producer and the queue that runs its transactions one at a time (kafkajs allows one open). */
interface TransactionalSlot {
  producer: Promise<Producer> | undefined;
  /** The assignment generation (see `#assignments`) the producer was initialised in. */
  generation: number;
  queue: Promise<void>;
}

/** Where a transaction's records landed in one partition, to wait until read_committed readers can see them. */
interface AppendedRange {
  readonly topic: string;
  readonly partition: number;
  readonly lastOffset: number;
}

/** Records per send of a transaction (see `splitPlan`), and most records of one batch of appends (see `ProduceBatcher`). */
const MAX_RECORDS_PER_SEND = 1000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The log port on Apache Kafka (kafkajs 2.2.4; Kafka 4.x, see infra/kafka/README.md). Appends are idempotent and
 * acknowledged by all in-sync replicas; consumers read committed records only; `transaction()` is Kafka's
 * exactly-once producer (appends plus `sendOffsets`) with one transactional producer per transactional id.
 */
export class KafkaLog implements EventLog {
  readonly #config: ResolvedKafkaLogOptions;
  readonly #logger: Logger;
  readonly #kafka: Kafka;
  #admin: Promise<Admin> | undefined;
  #producer: Promise<Producer> | undefined;
  readonly #transactional = new Map<string, TransactionalSlot>();
  readonly #partitionCounts = new Map<string, number>();
  readonly #roundRobin = new Map<string, number>();
  /** Group produce of `append`, one batcher per topic (see `ProduceBatcher`). */
  readonly #batchers = new Map<string, ProduceBatcher>();
  readonly #consumers = new Set<KafkaLogConsumer>();
  /**
   * Bumped whenever a consumer of this log gains partitions. A transactional producer initialised before the bump is
   * re-initialised before its next transaction: this process may have owned the partition before, lost it (the new
   * owner's InitProducerId fenced that producer) and now own it again. Reusing the fenced producer would fail every
   * transaction of the regained partition with PRODUCER_FENCED, which kafkajs treats as fatal for the whole consumer
   * (found by test/kafka/detector-failover.int.spec.ts: a partition moved A→B→A after B was SIGKILLed). Re-initialising
   * is what a new owner must do anyway (it fences the previous owner), and costs one InitProducerId per id.
   */
  #assignments = 0;
  #closed = false;

  constructor(options: KafkaLogOptions) {
    this.#config = parseKafkaLogOptions(options);
    // Silent without a logger, like the embedded log: errors reach callers as thrown VigilErrors either way.
    this.#logger = (this.#config.logger ?? pino({ level: 'silent' })).child({ module: 'kafka' });
    this.#kafka = new Kafka({
      clientId: this.#config.clientId,
      brokers: this.#config.brokers,
      connectionTimeout: this.#config.connectionTimeoutMs,
      requestTimeout: this.#config.requestTimeoutMs,
      retry: {
        retries: this.#config.retry.retries,
        initialRetryTime: this.#config.retry.initialRetryTimeMs,
        maxRetryTime: this.#config.retry.maxRetryTimeMs,
      },
      logLevel: kafkajsLogLevel(this.#logger),
      logCreator: pinoLogCreator(this.#logger),
    });
  }

  /** Creates the topic if missing (replicas: see `replicationFactor`), then checks its partition count. */
  async ensureTopic(topic: string, options: TopicOptions): Promise<void> {
    this.#assertOpen();
    if (!Number.isInteger(options.partitions) || options.partitions < 1) {
      throw new InvalidLogOptionsError(`partitions of topic "${topic}" must be a positive integer`, 'partitions');
    }
    const configEntries: Array<{ name: string; value: string }> = [];
    // Compacted and timed: Kafka's "compact,delete" keeps the newest record per key, and drops even that one when old.
    if (options.compact === true) configEntries.push({ name: 'cleanup.policy', value: options.retentionMs === undefined ? 'compact' : 'compact,delete' });
    if (options.retentionMs !== undefined) configEntries.push({ name: 'retention.ms', value: String(options.retentionMs) });
    try {
      const admin = await this.#adminClient();
      const replicationFactor = this.#config.replicationFactor ?? Math.min(3, (await admin.describeCluster()).brokers.length);
      await admin.createTopics({
        topics: [{ topic, numPartitions: options.partitions, replicationFactor, configEntries }],
        waitForLeaders: true,
      });
      // Returned only once every partition answers offset requests, so the topic's first reader is not refused.
      await whileTopicSettles(() => admin.fetchTopicOffsets(topic));
    } catch (err) {
      throw toLogError(err, { operation: 'ensureTopic', topic });
    }
    this.#partitionCounts.delete(topic);
    const actual = await this.partitionCount(topic);
    if (actual !== options.partitions) throw new TopicPartitionsMismatchError(topic, options.partitions, actual);
  }

  /** Partitions of the topic, from cluster metadata (cached: Vigil never changes a topic's partitions). */
  async partitionCount(topic: string): Promise<number> {
    this.#assertOpen();
    const cached = this.#partitionCounts.get(topic);
    if (cached !== undefined) return cached;
    const admin = await this.#adminClient();
    let count: number | undefined;
    try {
      // listTopics first: fetchTopicMetadata retries an unknown topic with backoff for seconds before it fails.
      if (!(await admin.listTopics()).includes(topic)) throw new TopicNotFoundError(topic);
      count = (await whileTopicSettles(() => admin.fetchTopicMetadata({ topics: [topic] }))).topics[0]?.partitions.length;
    } catch (err) {
      throw toLogError(err, { operation: 'partitionCount', topic });
    }
    if (count === undefined || count === 0) throw new TopicNotFoundError(topic);
    this.#partitionCounts.set(topic, count);
    return count;
  }

  /**
   * Appends with the idempotent producer, acks from all in-sync replicas. Keyed records go where Kafka's default
   * (murmur2) partitioner puts them, which is `partitionForKey`; records with neither key nor partition are spread
   * round-robin, with the partition chosen here so that every position can be reported.
   *
   * Group produce: appends to a topic that arrive while its previous produce call is in flight (or in the same turn of
   * the event loop) share one produce call, and each resolves with its own positions once the broker acknowledged that
   * call (see `ProduceBatcher` for the bounds, the order kept and why one call is in flight per topic). A beat thus
   * costs a share of a round trip to the broker instead of a round trip of its own.
   */
  async append(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> {
    this.#assertOpen();
    if (records.length === 0) return [];
    // Planned synchronously when the partition count is cached (every append but a topic's first), so that appends
    // enter their batch in the order they were called.
    const count = this.#partitionCounts.get(topic) ?? (await this.partitionCount(topic));
    const plan = this.#planWith(topic, count, records);
    return this.#batcher(topic).submit(plan);
  }

  /** What group produce of `append` has carried so far, summed over topics. */
  produceBatchStats(): ProduceBatchStats {
    const total = { batches: 0, appends: 0, records: 0, largestBatch: 0 };
    for (const batcher of this.#batchers.values()) {
      const s = batcher.stats();
      total.batches += s.batches;
      total.appends += s.appends;
      total.records += s.records;
      total.largestBatch = Math.max(total.largestBatch, s.largestBatch);
    }
    return total;
  }

  /** A consumer in `options.groupId`; see `KafkaLogConsumer` for how assignment callbacks map onto kafkajs. */
  consumer(options: ConsumerOptions): LogConsumer {
    this.#assertOpen();
    const consumer = new KafkaLogConsumer(this.#kafka, options, this.#config, this.#logger, {
      onStopped: (c) => this.#consumers.delete(c),
      onPartitionsGained: () => this.#assignments++,
    });
    this.#consumers.add(consumer);
    return consumer;
  }

  /**
   * Runs `work`, then applies what it recorded in one Kafka transaction: the appends, then `sendOffsets` for each group,
   * then commit (abort on any error). One transactional producer per `transactionalId`, created on first use and kept.
   *
   * Zombie fencing. Kafka fences "zombies" (a process that lost its input partition but still writes) in two ways: by
   * the consumer group generation in TxnOffsetCommit (KIP-447, protocol v3+) or by the transactional id. kafkajs speaks
   * TxnOffsetCommit v1, so only the second is available: callers name the transactional id after the input partition
   * (`<app>-<topic>-<partition>`). The new owner of the partition initialises a producer with the same id, which bumps
   * the producer epoch and aborts the zombie's open transaction; the zombie's next send or commit fails with
   * `ProducerFencedError` (not retriable), so its output and offsets never land. A fenced producer is dropped from the
   * cache, so the partition can be taken back later.
   *
   * What a transaction wrote becomes visible only once the coordinator has written the commit markers, just after the
   * commit returns: its offsets to offset fetches (kafkajs's OffsetFetch v4 cannot ask the coordinator to wait,
   * `require_stable`, KIP-447) and its records to read_committed readers. So `transaction()` resolves only when both
   * are visible (bounded by `commitVisibilityTimeoutMs`): a consumer that rejoins straight after never resumes from the
   * previous offset, and `read()`/`endOffset()` see what was just committed.
   */
  async transaction(transactionalId: string, work: (tx: LogTransaction) => void | Promise<void>): Promise<void> {
    this.#assertOpen();
    let slot = this.#transactional.get(transactionalId);
    if (slot === undefined) {
      slot = { producer: undefined, generation: this.#assignments, queue: Promise.resolve() };
      this.#transactional.set(transactionalId, slot);
    }
    const run = slot.queue.then(() => this.#runTransaction(transactionalId, slot, work));
    slot.queue = run.catch(() => undefined);
    return run;
  }

  /** The group's committed next offset on the partition, or null without one. */
  async committedOffset(groupId: string, topic: string, partition: number): Promise<number | null> {
    await this.#checkPartition(topic, partition);
    try {
      const admin = await this.#adminClient();
      const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const offset = result?.partitions.find((p) => p.partition === partition)?.offset;
      return offset === undefined || Number(offset) < 0 ? null : Number(offset);
    } catch (err) {
      throw toLogError(err, { operation: 'committedOffset', topic });
    }
  }

  /**
   * Committed records of a partition from `fromOffset`, by a short-lived consumer in a throwaway group (kafkajs has no
   * group-less consumer): slow (a group join per call) but only for recovery and tools.
   */
  async read(topic: string, partition: number, fromOffset: number, limit: number): Promise<LogRecord[]> {
    await this.#checkPartition(topic, partition);
    if (limit <= 0) return [];
    let range;
    try {
      const admin = await this.#adminClient();
      range = (await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition);
    } catch (err) {
      throw toLogError(err, { operation: 'read', topic });
    }
    const end = Number(range?.high ?? 0);
    // Below the log start offset (deleted by retention) reading starts at the oldest record kept.
    const from = Math.max(fromOffset, Number(range?.low ?? 0));
    if (from >= end) return [];
    try {
      return await readPartition(this.#kafka, {
        groupId: `${this.#config.clientId}-read-${randomUUID()}`,
        topic,
        partition,
        fromOffset: from,
        endOffset: end,
        limit,
        timeoutMs: this.#config.readTimeoutMs,
        maxWaitTimeMs: this.#config.maxWaitTimeMs,
        logger: this.#logger,
      });
    } catch (err) {
      throw toLogError(err, { operation: 'read', topic });
    }
  }

  /**
   * The partition's last stable offset: its high watermark (the offset after the last replicated record), or, while a
   * transaction is open on it, that transaction's first offset (kafkajs lists offsets read_committed). That is the end
   * a read_committed reader can reach, which is what callers of `endOffset` compare offsets with.
   */
  async endOffset(topic: string, partition: number): Promise<number> {
    await this.#checkPartition(topic, partition);
    try {
      return (await this.#stableOffsets(topic)).get(partition) ?? 0;
    } catch (err) {
      throw toLogError(err, { operation: 'endOffset', topic });
    }
  }

  /** Whether the cluster answers a metadata request within `readyTimeoutMs`. */
  async isReady(): Promise<boolean> {
    if (this.#closed) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.#config.readyTimeoutMs);
    });
    const probe = (async () => {
      const admin = await this.#adminClient();
      await admin.describeCluster();
      return true;
    })().catch((err: unknown) => {
      this.#logger.debug({ err }, 'kafka readiness probe failed');
      return false;
    });
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops this log's consumers and disconnects every client; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#consumers].map((c) => c.stop()));
    for (const batcher of this.#batchers.values()) batcher.close();
    const producers = [this.#producer, ...[...this.#transactional.values()].map((s) => s.producer)];
    await Promise.allSettled(producers.map(async (p) => (await p)?.disconnect()));
    await Promise.allSettled([this.#admin?.then((a) => a.disconnect())]);
    this.#transactional.clear();
  }

  async #runTransaction(transactionalId: string, slot: TransactionalSlot, work: (tx: LogTransaction) => void | Promise<void>): Promise<void> {
    this.#assertOpen();
    const recorded = new RecordedTransaction(transactionalId);
    try {
      await work(recorded);
    } finally {
      recorded.end();
    }
    if (recorded.isEmpty) return;
    // Plan (and validate) every append before the transaction starts, so a bad record aborts nothing half-sent.
    const plans = await Promise.all(recorded.appends.map(async (a) => ({ topic: a.topic, plan: await this.#plan(a.topic, a.records) })));
    const appended: AppendedRange[] = [];
    let producer: Producer | undefined;
    let transaction;
    try {
      if (slot.producer !== undefined && slot.generation !== this.#assignments) {
        // Partitions were assigned since this producer was initialised: start a new epoch (see `#assignments`). Inside
        // the slot's queue, so no transaction of this id is in flight.
        const previous = slot.producer;
        slot.producer = undefined;
        await previous.then((p) => p.disconnect()).catch(() => undefined);
      }
      if (slot.producer === undefined) {
        slot.generation = this.#assignments;
        slot.producer = this.#connectTransactional(transactionalId);
      }
      producer = await slot.producer;
      transaction = await producer.transaction();
      for (const { topic, plan } of plans) {
        // Split so that no partition's record batch exceeds the broker's message size (see `maxBatchBytes`); the
        // sends are one after another, so each partition keeps the records' order.
        for (const part of splitPlan(plan, this.#config.maxBatchBytes)) {
          const sent = await transaction.send({ topic, acks: -1, messages: part.messages });
          for (const entry of sent) {
            // A partition's records get consecutive offsets from its base offset (see append()).
            const count = part.partitions.filter((p) => p === entry.partition).length;
            appended.push({ topic, partition: entry.partition, lastOffset: Number(entry.baseOffset) + count - 1 });
          }
        }
      }
      for (const [groupId, offsets] of groupByGroup(recorded.offsets)) {
        await transaction.sendOffsets({ consumerGroupId: groupId, topics: offsets });
      }
      await transaction.commit();
    } catch (err) {
      if (transaction?.isActive() === true) {
        await transaction.abort().catch((abortErr: unknown) => this.#logger.warn({ err: abortErr, transactionalId }, 'kafka transaction abort failed'));
      }
      const mapped = toLogError(err, { operation: 'transaction', transactionalId });
      if (!mapped.retriable) {
        // A fenced or broken producer cannot run another transaction: start afresh (a new epoch) next time.
        if (slot.producer !== undefined) {
          const stale = slot.producer;
          slot.producer = undefined;
          void stale.then((p) => p.disconnect()).catch(() => undefined);
        }
      }
      this.#logger.warn({ err: mapped, transactionalId }, 'kafka transaction failed');
      throw mapped;
    }
    await this.#awaitVisible(recorded.offsets, appended, transactionalId);
  }

  async #connectTransactional(transactionalId: string): Promise<Producer> {
    const producer = this.#kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.#config.transactionTimeoutMs,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    // connect() of a transactional producer runs InitProducerId: this is the call that fences an older owner of the id.
    await producer.connect();
    return producer;
  }

  /**
   * Polls until what the transaction committed is visible (see `transaction()`): its offsets to offset fetches, and its
   * records to read_committed readers (the partition's last stable offset has passed them). Bounded in time; past the
   * bound it only warns, since the transaction did commit.
   */
  async #awaitVisible(offsets: readonly RecordedOffset[], appended: readonly AppendedRange[], transactionalId: string): Promise<void> {
    if (this.#config.commitVisibilityTimeoutMs === 0) return;
    const deadline = Date.now() + this.#config.commitVisibilityTimeoutMs;
    let pendingOffsets = [...offsets];
    let pendingRecords = [...appended];
    for (;;) {
      const offsetsVisible = await Promise.all(
        pendingOffsets.map(async (o) => {
          const committed = await this.committedOffset(o.groupId, o.topic, o.partition).catch(() => null);
          return committed !== null && committed >= o.nextOffset;
        }),
      );
      pendingOffsets = pendingOffsets.filter((_, i) => !offsetsVisible[i]);
      const stable = new Map<string, number>();
      for (const topic of new Set(pendingRecords.map((r) => r.topic))) {
        const ends = await this.#stableOffsets(topic).catch(() => new Map<number, number>());
        for (const [partition, end] of ends) stable.set(`${topic}\u0000${partition}`, end);
      }
      pendingRecords = pendingRecords.filter((r) => (stable.get(`${r.topic}\u0000${r.partition}`) ?? -1) <= r.lastOffset);
      if (pendingOffsets.length === 0 && pendingRecords.length === 0) return;
      if (Date.now() >= deadline) {
        this.#logger.warn({ transactionalId, pendingOffsets, pendingRecords }, 'kafka transaction committed but not visible yet');
        return;
      }
      await sleep(10);
    }
  }

  /** Last stable offset per partition (kafkajs lists offsets read_committed). */
  async #stableOffsets(topic: string): Promise<Map<number, number>> {
    const admin = await this.#adminClient();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  }

  async #plan(topic: string, records: readonly ProduceRecord[]): Promise<PlannedAppend> {
    return this.#planWith(topic, await this.partitionCount(topic), records);
  }

  /** Where each record goes on a topic of `count` partitions; throws for an explicit partition out of range. */
  #planWith(topic: string, count: number, records: readonly ProduceRecord[]): PlannedAppend {
    const messages: PlannedAppend['messages'] = [];
    const partitions: number[] = [];
    for (const record of records) {
      let partition: number;
      if (record.partition !== undefined) {
        if (!Number.isInteger(record.partition) || record.partition < 0 || record.partition >= count) {
          throw new PartitionOutOfRangeError(topic, record.partition, count);
        }
        partition = record.partition;
        messages.push({ key: record.key, value: record.value, partition });
      } else if (record.key !== null) {
        // kafkajs's DefaultPartitioner picks the partition; partitionForKey is the same function (tested), used here
        // only to know where each record went.
        partition = partitionForKey(record.key, count);
        messages.push({ key: record.key, value: record.value });
      } else {
        const turn = this.#roundRobin.get(topic) ?? 0;
        this.#roundRobin.set(topic, turn + 1);
        partition = turn % count;
        messages.push({ key: null, value: record.value, partition });
      }
      partitions.push(partition);
    }
    return { messages, partitions };
  }

  async #checkPartition(topic: string, partition: number): Promise<void> {
    const count = await this.partitionCount(topic);
    if (!Number.isInteger(partition) || partition < 0 || partition >= count) throw new PartitionOutOfRangeError(topic, partition, count);
  }

  #assertOpen(): void {
    if (this.#closed) throw new LogClosedError();
  }

  #adminClient(): Promise<Admin> {
    this.#assertOpen();
    if (this.#admin === undefined) {
      const admin = this.#kafka.admin();
      const connecting = admin.connect().then(() => admin);
      this.#admin = connecting;
      // A failed connect is not cached: the next call tries again (the broker may be starting).
      connecting.catch(() => {
        if (this.#admin === connecting) this.#admin = undefined;
      });
    }
    return this.#admin.catch((err: unknown) => {
      throw toLogError(err, { operation: 'connect' });
    });
  }

  #batcher(topic: string): ProduceBatcher {
    // Also after the partition count was awaited: a log closed meanwhile must not start a producer again.
    this.#assertOpen();
    let batcher = this.#batchers.get(topic);
    if (batcher === undefined) {
      batcher = new ProduceBatcher({
        topic,
        maxRecords: MAX_RECORDS_PER_SEND,
        maxPartitionBytes: this.#config.maxBatchBytes,
        send: async (messages) => {
          const producer = await this.#idempotentProducer();
          const metadata = await producer.send({ topic, acks: -1, messages });
          return metadata.flatMap((entry) => (entry.baseOffset === undefined ? [] : [{ partition: entry.partition, baseOffset: Number(entry.baseOffset) }]));
        },
      });
      this.#batchers.set(topic, batcher);
    }
    return batcher;
  }

  #idempotentProducer(): Promise<Producer> {
    if (this.#producer === undefined) {
      const producer = this.#kafka.producer({
        idempotent: true,
        // Idempotence keeps order only with one request in flight per connection in kafkajs.
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const connecting = producer.connect().then(() => producer);
      this.#producer = connecting;
      connecting.catch(() => {
        if (this.#producer === connecting) this.#producer = undefined;
      });
    }
    return this.#producer;
  }
}

/**
 * Splits a planned append into consecutive parts in which each partition's records sum to at most `maxBytes` of key
 * and value (a single larger record still gets a part of its own, and the broker judges it).
 */
function splitPlan(plan: PlannedAppend, maxBytes: number): PlannedAppend[] {
  // Also at most MAX_RECORDS_PER_SEND records per part: kafkajs groups a send's messages by partition by copying the
  // partition's array for every message (quadratic), which on a transaction of thousands of records costs more CPU and
  // garbage than the extra round trips of smaller sends.

  const parts: PlannedAppend[] = [];
  let current: PlannedAppend = { messages: [], partitions: [] };
  let bytes = new Map<number, number>();
  plan.messages.forEach((message, i) => {
    const partition = plan.partitions[i]!;
    const size = messageBytes(message);
    const used = bytes.get(partition) ?? 0;
    if ((used > 0 && used + size > maxBytes) || current.messages.length >= MAX_RECORDS_PER_SEND) {
      parts.push(current);
      current = { messages: [], partitions: [] };
      bytes = new Map();
    }
    current.messages.push(message);
    current.partitions.push(partition);
    bytes.set(partition, (bytes.get(partition) ?? 0) + size);
  });
  if (current.messages.length > 0) parts.push(current);
  return parts;
}

/** Recorded offsets as kafkajs `sendOffsets` topics, per group; the last commit recorded per partition wins. */
function groupByGroup(offsets: readonly RecordedOffset[]): Map<string, Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>> {
  const latest = new Map<string, RecordedOffset>();
  for (const o of offsets) latest.set(`${o.groupId}\u0000${o.topic}\u0000${o.partition}`, o);
  const byGroup = new Map<string, Map<string, Array<{ partition: number; offset: string }>>>();
  for (const o of latest.values()) {
    const topics = byGroup.get(o.groupId) ?? new Map<string, Array<{ partition: number; offset: string }>>();
    byGroup.set(o.groupId, topics);
    const partitions = topics.get(o.topic) ?? [];
    topics.set(o.topic, partitions);
    partitions.push({ partition: o.partition, offset: String(o.nextOffset) });
  }
  return new Map([...byGroup].map(([groupId, topics]) => [groupId, [...topics].map(([topic, partitions]) => ({ topic, partitions }))]));
}

/** How long a topic just created may take to serve metadata and offset requests before its errors count. */
const NEW_TOPIC_SETTLE_MS = 10_000;

/** What a loaded broker answers about a topic whose creation has not yet reached every part of it. */
const SETTLING_TYPES = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER']);

/**
 * Runs a request about a topic that exists (it was just created, or `listTopics` names it), retrying with a short
 * backoff for a bounded time while the broker still answers as if it did not, or had no leader for it yet: right
 * after `createTopics` a loaded broker lists the topic before its metadata and leaders have settled.
 */
async function whileTopicSettles<T>(request: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + NEW_TOPIC_SETTLE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      const type = rootCause(err).type;
      if (typeof type !== 'string' || !SETTLING_TYPES.has(type) || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
    }
  }
}
