/**
 * The log port: an ordered, partitioned, durable event log (ARCHITECTURE.md, "Log"). Adapters: embedded (SQLite,
 * one file) and Kafka. Every adapter passes the contract suite in `@vigil/log/testing`.
 */

/** A record to append. Without `partition` the adapter picks one from `key` (stable hash), so one key keeps order. */
export interface ProduceRecord {
  readonly key: string | null;
  readonly value: string;
  /** Explicit partition, used for records that go to every partition (ticks, tenant-wide settings). */
  readonly partition?: number;
  /**
   * What `value` decodes to, when the producer has it at hand and vouches for it (it built the value from it). Never
   * written: the embedded log keeps it in memory beside the record and hands it to this process's consumers with it
   * (`LogRecord.decoded`), so that they need not parse the value again; other logs ignore it.
   */
  readonly decoded?: unknown;
}

/** A record as stored: its place in the log and the time the log accepted it (epoch ms). */
export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  /** Position within the partition; the next record has a greater offset (not necessarily +1 on Kafka). */
  readonly offset: number;
  readonly key: string | null;
  readonly value: string;
  readonly timestamp: number;
  /** What the producer said `value` decodes to (`ProduceRecord.decoded`): only on records read back in its own process. */
  readonly decoded?: unknown;
}

/** Where an appended record landed. */
export interface RecordPosition {
  readonly partition: number;
  readonly offset: number;
}

/** Records of one partition handed to a consumer, in offset order. */
export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly LogRecord[];
}

/** Options of a topic, applied when it is created. */
export interface TopicOptions {
  readonly partitions: number;
  /** Records older than this may be deleted, but never before every consumer group of the topic committed past them. */
  readonly retentionMs?: number;
  /** Keep only the newest record per key (changelog topics holding processor state). */
  readonly compact?: boolean;
}

/** What a consumer does with batches; `eachBatch` resolves before the next batch of that partition is delivered. */
export interface ConsumerHandlers {
  /** Handles a batch; unless `autoCommit` is false, the batch is committed after this resolves. */
  eachBatch(batch: RecordBatch): Promise<void>;
  /** Partitions this consumer now owns (before any batch of them is delivered). */
  onAssigned?(partitions: readonly number[]): Promise<void>;
  /** Partitions this consumer lost (after their last batch was handled). */
  onRevoked?(partitions: readonly number[]): Promise<void>;
}

/** Options of a consumer. */
export interface ConsumerOptions {
  readonly groupId: string;
  readonly topic: string;
  /** With no committed offset, start at the beginning (default) or at the end of each partition. */
  readonly fromBeginning?: boolean;
  /** Commit each batch after `eachBatch` resolves (default true). Transactional processors set false. */
  readonly autoCommit?: boolean;
  /** Largest batch handed to `eachBatch` (default 500). */
  readonly maxBatchSize?: number;
}

/** A running consumer in a group. */
export interface LogConsumer {
  /** Starts delivering batches; resolves once the consumer has joined its group. */
  start(handlers: ConsumerHandlers): Promise<void>;
  /** Stops after the batch in hand, leaves the group; resolves when fully stopped. */
  stop(): Promise<void>;
}

/** One atomic unit of work: appended records, committed offsets and state changes land together or not at all. */
export interface LogTransaction {
  append(topic: string, records: readonly ProduceRecord[]): void;
  /** Commits `nextOffset` (the offset of the next record to read) for a group on a partition. */
  commitOffset(groupId: string, topic: string, partition: number, nextOffset: number): void;
}

/** The port. */
export interface EventLog {
  /** Creates the topic if missing; an existing topic keeps its partitions (a mismatch throws). */
  ensureTopic(topic: string, options: TopicOptions): Promise<void>;
  /** Number of partitions of a topic; throws if it does not exist. */
  partitionCount(topic: string): Promise<number>;
  /** Appends records durably; resolves with where each landed, in input order. */
  append(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]>;
  /** Creates a consumer in a group; the group shares the topic's partitions among its members. */
  consumer(options: ConsumerOptions): LogConsumer;
  /**
   * Runs `work` and applies everything it recorded atomically. The Kafka adapter needs one transactional producer per
   * input partition, named by `transactionalId`.
   */
  transaction(transactionalId: string, work: (tx: LogTransaction) => void | Promise<void>): Promise<void>;
  /** The committed next-offset of a group on a partition, or null if it never committed. */
  committedOffset(groupId: string, topic: string, partition: number): Promise<number | null>;
  /** Reads a partition from `fromOffset` (inclusive), at most `limit` records; for recovery and tools. */
  read(topic: string, partition: number, fromOffset: number, limit: number): Promise<LogRecord[]>;
  /** The offset the next appended record of a partition will get at the earliest (its high watermark). */
  endOffset(topic: string, partition: number): Promise<number>;
  /** Whether the log is reachable right now (for /readyz). */
  isReady(): Promise<boolean>;
  /** Releases connections and file handles. */
  close(): Promise<void>;
}

/** Partition of a key among `partitions`: the same function in every adapter (murmur2, as Kafka's Java client). */
export { partitionForKey } from './partitioner.ts';
