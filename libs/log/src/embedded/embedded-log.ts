import type Database from 'better-sqlite3';
import { pino, type Logger } from 'pino';
import type {
  ConsumerOptions,
  EventLog,
  LogConsumer,
  LogRecord,
  LogTransaction,
  ProduceRecord,
  RecordPosition,
  TopicOptions,
} from '../log-port.ts';
import { partitionForKey } from '../partitioner.ts';
import {
  InvalidLogOptionsError,
  LogClosedError,
  PartitionOutOfRangeError,
  TopicNotFoundError,
  TopicPartitionsMismatchError,
  TransactionEndedError,
} from '../errors.ts';
import { appendNotifierKey, notifyAppend, onAppend } from './append-notifier.ts';
import type { ConsumerBackend, LivePosition } from './consumer-backend.ts';
import { ConsumerGroup } from './consumer-group.ts';
import { EmbeddedConsumer } from './embedded-consumer.ts';
import { GroupCommit, type GroupCommitStats } from './group-commit.ts';
import { openLogDatabase } from './log-schema.ts';
import { parseEmbeddedLogOptions, type EmbeddedLogOptions, type ResolvedEmbeddedLogOptions } from './options.ts';
import { enforceRetention, type RetentionResult } from './retention.ts';
import { mapSqliteError } from './sqlite-errors.ts';
import { TailCache } from './tail-cache.ts';

/** Longest an idle partition worker sleeps with nothing waking it: a safety net under the notifier and the poll. */
const IDLE_SAFETY_WAIT_MS = 1_000;
/**
 * Records per INSERT statement when an append carries many: one statement of 50 rows costs 6.8–7.2 µs a record
 * against 8.6 for one statement per record (better-sqlite3, 500 records per transaction, measured on the 2-core VM);
 * in `vigil up` under batches of 100 beats, about 1 µs less writer-thread CPU a beat (4 alternating runs).
 */
const ROWS_PER_INSERT = 50;
const INSERT_RECORD_SQL = 'INSERT INTO log_records (topic, partition, offset, key, value, timestamp, compaction_key) VALUES ';
const RECORD_ROW = '(?, ?, ?, ?, ?, ?, ?)';
const RECORD_COLUMNS = 7;

interface TopicRow {
  partitions: number;
  retention_ms: number | null;
  compact: number;
}

interface RecordRow {
  offset: number;
  key: string | null;
  value: string;
  timestamp: number;
}

/** One step recorded by a transaction's `work`, applied later in one SQLite transaction. */
type TransactionStep =
  | { readonly kind: 'append'; readonly topic: string; readonly records: readonly ProduceRecord[] }
  | { readonly kind: 'commit'; readonly groupId: string; readonly topic: string; readonly partition: number; readonly nextOffset: number };

/**
 * The embedded log: Vigil's event log in one SQLite file (better-sqlite3, WAL), the default of `vigil up`.
 *
 * - Topics are partitioned; offsets are 0, 1, 2… per partition and never reused, even after retention.
 * - Several processes may open the same file at once (an ingest process appending, a detector consuming): writes
 *   queue on SQLite's lock (busy_timeout), and idle consumers notice other processes' commits by polling
 *   `PRAGMA data_version` every `pollIntervalMs`. Appends made in this process wake consumers at once.
 * - Consumer groups keep committed offsets in the file, but partitions are shared only among the consumers of one
 *   `EmbeddedLog` instance: one process owns a consumer group in embedded mode.
 * - `transaction()` applies appends and offset commits in one SQLite transaction: all or nothing, nothing between.
 * - Group commit: appends, transactions and consumers' offset commits made within one turn of the event loop share
 *   one SQLite transaction (`GroupCommit`); every promise resolves only after that transaction committed, so an
 *   acknowledged append is durably in the file. Writes are validated before they join a group, so one bad write never
 *   fails the others.
 * - Durability: see `synchronous` in `EmbeddedLogOptions` ('normal', the default, survives a SIGKILL of the process).
 */
export class EmbeddedLog implements EventLog {
  readonly #options: ResolvedEmbeddedLogOptions;
  readonly #logger: Logger;
  readonly #db: Database.Database;
  readonly #incrementalVacuum: boolean;
  readonly #notifierKey: string;
  readonly #topics = new Map<string, TopicRow>();
  readonly #roundRobin = new Map<string, number>();
  readonly #groups = new Map<string, ConsumerGroup>();
  readonly #consumers = new Set<EmbeddedConsumer>();
  readonly #live = new Set<LivePosition>();
  readonly #pollListeners = new Set<() => void>();
  readonly #statements;
  readonly #backend: ConsumerBackend;
  readonly #group: GroupCommit;
  /** Ends of the partitions written in the current group's transaction, written back once before its COMMIT. */
  readonly #groupEnds = new Map<string, Map<number, number>>();
  /** What this instance appended last, for its own consumers (see TailCache). */
  readonly #tail: TailCache;
  #pollTimer: NodeJS.Timeout | null = null;
  #retentionTimer: NodeJS.Timeout | null;
  #dataVersion = 0;
  #closed = false;
  #closing: Promise<void> | null = null;

  /** Opens (creating if needed) the log file; throws `InvalidLogOptionsError` on bad options. */
  constructor(options: EmbeddedLogOptions) {
    this.#options = parseEmbeddedLogOptions(options);
    this.#tail = new TailCache(this.#options.tailRecords);
    this.#logger = (this.#options.logger ?? pino({ level: 'silent' })).child({ module: 'log' });
    let opened: ReturnType<typeof openLogDatabase>;
    try {
      opened = openLogDatabase(this.#options.path, this.#options);
    } catch (err) {
      throw mapSqliteError(err, `opening the log at ${this.#options.path}`);
    }
    this.#db = opened.db;
    this.#incrementalVacuum = opened.incrementalVacuum;
    if (!this.#incrementalVacuum) {
      this.#logger.info(
        { path: this.#options.path },
        'log file was created without auto_vacuum=INCREMENTAL; pages freed by retention are reused but not returned (run VACUUM offline to change)',
      );
    }
    this.#notifierKey = appendNotifierKey(this.#options.path);
    const db = this.#db;
    this.#statements = {
      selectTopic: db.prepare('SELECT partitions, retention_ms, compact FROM log_topics WHERE topic = ?'),
      insertTopic: db.prepare('INSERT INTO log_topics (topic, partitions, retention_ms, compact, created_at) VALUES (?, ?, ?, ?, ?)'),
      insertPartition: db.prepare('INSERT INTO log_partitions (topic, partition, next_offset) VALUES (?, ?, 0)'),
      selectEnd: db.prepare('SELECT next_offset FROM log_partitions WHERE topic = ? AND partition = ?').pluck(),
      updateEnd: db.prepare('UPDATE log_partitions SET next_offset = ? WHERE topic = ? AND partition = ?'),
      insertRecord: db.prepare(INSERT_RECORD_SQL + RECORD_ROW),
      insertRecords: db.prepare(INSERT_RECORD_SQL + Array.from({ length: ROWS_PER_INSERT }, () => RECORD_ROW).join(', ')),
      selectRecords: db.prepare(
        'SELECT offset, key, value, timestamp FROM log_records WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?',
      ),
      selectCommitted: db.prepare('SELECT next_offset FROM log_committed_offsets WHERE group_id = ? AND topic = ? AND partition = ?').pluck(),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      selectUnread: db.prepare(
        `SELECT MAX(p.next_offset - c.next_offset) FROM log_partitions p
         JOIN log_committed_offsets c ON c.group_id = ? AND c.topic = p.topic AND c.partition = p.partition WHERE p.topic = ?`,
      ).pluck(),
      upsertCommitted: db.prepare(
        `INSERT INTO log_committed_offsets (group_id, topic, partition, next_offset, committed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset, committed_at = excluded.committed_at`,
      ),
    };
    this.#group = new GroupCommit(db, {
      begin: () => {
        this.#groupEnds.clear();
        this.#tail.discard();
      },
      beforeCommit: () => {
        for (const [topic, ends] of this.#groupEnds) for (const [partition, end] of ends) this.#statements.updateEnd.run(end, topic, partition);
      },
      committed: (topics) => {
        this.#tail.publish();
        for (const topic of topics) notifyAppend(this.#notifierKey, topic);
      },
    });
    this.#backend = this.#createBackend();
    if (this.#options.housekeeping) {
      this.#retentionTimer = setInterval(() => this.#sweepRetention(), this.#options.retentionCheckIntervalMs);
      // Retention alone should never keep a process alive.
      this.#retentionTimer.unref();
    } else {
      this.#retentionTimer = null;
    }
  }

  /** Creates the topic if missing; an existing topic keeps its partitions and options (a partition mismatch throws). */
  async ensureTopic(topic: string, options: TopicOptions): Promise<void> {
    this.#assertOpen();
    validateTopicOptions(topic, options);
    const existing = this.#write(`creating topic ${topic}`, () => {
      const row = this.#statements.selectTopic.get(topic) as TopicRow | undefined;
      if (row !== undefined) return row;
      this.#statements.insertTopic.run(topic, options.partitions, options.retentionMs ?? null, options.compact === true ? 1 : 0, Date.now());
      for (let p = 0; p < options.partitions; p++) this.#statements.insertPartition.run(topic, p);
      return undefined;
    });
    if (existing === undefined) {
      this.#logger.info({ topic, partitions: options.partitions }, 'topic created');
      return;
    }
    this.#topics.set(topic, existing);
    if (existing.partitions !== options.partitions) throw new TopicPartitionsMismatchError(topic, options.partitions, existing.partitions);
  }

  /** Number of partitions of a topic; throws `TopicNotFoundError` if it does not exist. */
  async partitionCount(topic: string): Promise<number> {
    this.#assertOpen();
    return this.#topic(topic).partitions;
  }

  /**
   * Appends records atomically, in the group commit of this turn of the event loop; resolves with where each landed,
   * in input order, once committed. A missing topic or an out-of-range partition rejects at once, queueing nothing.
   */
  async append(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> {
    this.#assertOpen();
    if (records.length === 0) return [];
    const row = this.#validateAppend(topic, records);
    const copy = [...records];
    return this.#group.submit(`appending to ${topic}`, [topic], () => this.#appendInGroup(topic, row, copy, Date.now()));
  }

  /** Creates a consumer in a group; partitions are shared among the group's consumers of this log instance. */
  consumer(options: ConsumerOptions): LogConsumer {
    this.#assertOpen();
    const consumer = new EmbeddedConsumer(this.#backend, options, (c) => this.#consumers.delete(c));
    this.#consumers.add(consumer);
    return consumer;
  }

  /**
   * Runs `work`, then applies every append and offset commit it recorded in one SQLite transaction; if `work` throws
   * (or applying fails, e.g. an unknown topic) nothing is applied and the error is rethrown. `transactionalId` only
   * labels logs here: SQLite's lock already serialises writers, so there is no producer to fence.
   */
  async transaction(transactionalId: string, work: (tx: LogTransaction) => void | Promise<void>): Promise<void> {
    this.#assertOpen();
    const steps: TransactionStep[] = [];
    let open = true;
    const tx: LogTransaction = {
      append(topic, records) {
        if (!open) throw new TransactionEndedError(transactionalId);
        steps.push({ kind: 'append', topic, records: [...records] });
      },
      commitOffset(groupId, topic, partition, nextOffset) {
        if (!open) throw new TransactionEndedError(transactionalId);
        steps.push({ kind: 'commit', groupId, topic, partition, nextOffset });
      },
    };
    try {
      await work(tx);
    } finally {
      open = false;
    }
    this.#assertOpen();
    if (steps.length === 0) return;
    // Validated before joining the group (an unknown topic, a partition out of range): a bad transaction fails alone.
    const rows = steps.map((step) => (step.kind === 'append' ? this.#validateAppend(step.topic, step.records) : this.#topicWithPartition(step.topic, step.partition)));
    const topics = [...new Set(steps.flatMap((s) => (s.kind === 'append' ? [s.topic] : [])))];
    await this.#group.submit(`transaction ${transactionalId}`, topics, () => {
      const now = Date.now();
      steps.forEach((step, i) => {
        if (step.kind === 'append') this.#appendInGroup(step.topic, rows[i]!, step.records, now);
        else this.#commitInTransaction(step.groupId, step.topic, step.partition, step.nextOffset, now);
      });
    });
  }

  /** How many SQLite transactions group commit used for how many writes (for tests and benchmarks). */
  groupCommitStats(): GroupCommitStats {
    return this.#group.stats();
  }

  /** How many reads this instance's tail of recent appends answered, and how many went to SQLite (tests, benchmarks). */
  tailCacheStats(): { hits: number; misses: number } {
    return this.#tail.stats();
  }

  /**
   * The most records of one partition of `topic` that `groupId` has not committed, over the partitions it committed
   * on (null: none yet). Synchronous, as one statement: `vigil up`'s writer thread asks before its appends (flow
   * control between the ingest and the consumers of the same thread).
   */
  unreadRecords(groupId: string, topic: string): number | null {
    this.#assertOpen();
    try {
      return (this.#statements.selectUnread.get(groupId, topic) as number | null | undefined) ?? null;
    } catch (err) {
      throw mapSqliteError(err, `reading the lag of group ${groupId}`);
    }
  }

  /** The committed next-offset of a group on a partition, or null if it never committed. */
  async committedOffset(groupId: string, topic: string, partition: number): Promise<number | null> {
    this.#assertOpen();
    return this.#backend.committedOffsetSync(groupId, topic, partition);
  }

  /** Reads a partition from `fromOffset` (inclusive), at most `limit` records; deleted offsets are simply absent. */
  async read(topic: string, partition: number, fromOffset: number, limit: number): Promise<LogRecord[]> {
    this.#assertOpen();
    return this.#backend.readSync(topic, partition, fromOffset, limit);
  }

  /** The offset the next record appended to the partition will get. */
  async endOffset(topic: string, partition: number): Promise<number> {
    this.#assertOpen();
    return this.#backend.endOffsetSync(topic, partition);
  }

  /** Whether the file answers a query right now. */
  async isReady(): Promise<boolean> {
    if (this.#closed || this.#closing !== null) return false;
    try {
      this.#db.prepare('SELECT 1').get();
      return true;
    } catch (err) {
      this.#logger.warn({ err }, 'log is not ready');
      return false;
    }
  }

  /**
   * Applies retention and compaction now (they also run every `retentionCheckIntervalMs`). `now` is the time records'
   * ages are measured against, so tests and tools need not wait.
   */
  enforceRetention(now: number = Date.now()): RetentionResult {
    this.#assertOpen();
    // Retention may delete records a tail still holds; the tails refill from the next appends.
    this.#tail.clear();
    try {
      return enforceRetention(this.#db, now, (topic, partition) => this.#liveBound(topic, partition), this.#incrementalVacuum);
    } catch (err) {
      throw mapSqliteError(err, 'enforcing retention');
    }
  }

  /** Stops every consumer (after the batches in hand), stops the timers and closes the file. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#consumers].map((c) => c.stop()));
      // Writes submitted before close() began are committed, not dropped: their callers may be awaiting them.
      this.#group.flush();
      if (this.#retentionTimer !== null) clearInterval(this.#retentionTimer);
      this.#retentionTimer = null;
      this.#stopPolling();
      this.#closed = true;
      this.#db.close();
    })();
    return this.#closing;
  }

  #createBackend(): ConsumerBackend {
    // Consumers keep working while `close()` stops them (their last commit must land), hence #assertNotClosed only.
    return {
      logger: this.#logger,
      idleWaitMs: Math.max(IDLE_SAFETY_WAIT_MS, this.#options.pollIntervalMs),
      lingerMs: this.#options.consumerLingerMs,
      partitionCountSync: (topic) => {
        this.#assertNotClosed();
        return this.#topic(topic).partitions;
      },
      readSync: (topic, partition, fromOffset, limit) => {
        this.#assertNotClosed();
        this.#checkPartition(topic, partition);
        const from = Math.max(0, fromOffset);
        const most = Math.max(0, limit);
        const cached = this.#tail.read(topic, partition, from, most);
        if (cached !== null) return cached;
        try {
          const rows = this.#statements.selectRecords.all(topic, partition, from, most) as RecordRow[];
          return rows.map((r) => ({ topic, partition, offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp }));
        } catch (err) {
          throw mapSqliteError(err, `reading ${topic}/${partition}`);
        }
      },
      endOffsetSync: (topic, partition) => {
        this.#assertNotClosed();
        this.#checkPartition(topic, partition);
        try {
          return (this.#statements.selectEnd.get(topic, partition) as number | undefined) ?? 0;
        } catch (err) {
          throw mapSqliteError(err, `reading the end of ${topic}/${partition}`);
        }
      },
      committedOffsetSync: (groupId, topic, partition) => {
        this.#assertNotClosed();
        try {
          return (this.#statements.selectCommitted.get(groupId, topic, partition) as number | undefined) ?? null;
        } catch (err) {
          throw mapSqliteError(err, `reading the offset of group ${groupId}`);
        }
      },
      commitSync: (groupId, topic, partition, nextOffset) => {
        this.#assertNotClosed();
        this.#write(`committing for group ${groupId}`, () => this.#commitInTransaction(groupId, topic, partition, nextOffset, Date.now()));
      },
      commit: (groupId, topic, partition, nextOffset) => {
        this.#assertNotClosed();
        this.#checkPartition(topic, partition);
        return this.#group.submit(`committing for group ${groupId}`, [], () => this.#commitInTransaction(groupId, topic, partition, nextOffset, Date.now()));
      },
      subscribe: (topic, listener) => {
        const removeNotifier = onAppend(this.#notifierKey, (appended) => {
          if (appended === topic) listener();
        });
        this.#pollListeners.add(listener);
        this.#startPolling();
        return () => {
          removeNotifier();
          this.#pollListeners.delete(listener);
          if (this.#pollListeners.size === 0) this.#stopPolling();
        };
      },
      trackLive: (position) => {
        this.#live.add(position);
        return () => this.#live.delete(position);
      },
      group: (groupId, topic, partitions) => {
        const key = `${groupId}\u0000${topic}`;
        let group = this.#groups.get(key);
        if (group === undefined) {
          group = new ConsumerGroup(partitions);
          this.#groups.set(key, group);
        }
        return group;
      },
    };
  }

  /** The topic's metadata, after checking that it exists and that every explicit partition is in range. */
  #validateAppend(topic: string, records: readonly ProduceRecord[]): TopicRow {
    const row = this.#topic(topic);
    for (const record of records) {
      if (record.partition !== undefined) this.#checkPartition(topic, record.partition);
    }
    return row;
  }

  /**
   * Appends inside the group's transaction; partition from `partition`, else the key's murmur2, else round-robin. The
   * partitions' ends are read once per group and written back once, before its COMMIT (`#groupEnds`).
   */
  #appendInGroup(topic: string, { partitions, compact }: TopicRow, records: readonly ProduceRecord[], timestamp: number): RecordPosition[] {
    let ends = this.#groupEnds.get(topic);
    if (ends === undefined) this.#groupEnds.set(topic, (ends = new Map()));
    const positions: RecordPosition[] = [];
    // Rows of whole ROWS_PER_INSERT-row statements, flattened; the rest go in one statement each.
    const whole = records.length - (records.length % ROWS_PER_INSERT);
    let rows: unknown[] = [];
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const partition = this.#choosePartition(topic, partitions, record);
      let offset = ends.get(partition);
      if (offset === undefined) offset = (this.#statements.selectEnd.get(topic, partition) as number | undefined) ?? 0;
      const compactionKey = compact === 1 ? record.key : null;
      if (i < whole) {
        rows.push(topic, partition, offset, record.key, record.value, timestamp, compactionKey);
        if (rows.length === ROWS_PER_INSERT * RECORD_COLUMNS) {
          this.#statements.insertRecords.run(rows);
          rows = [];
        }
      } else {
        this.#statements.insertRecord.run(topic, partition, offset, record.key, record.value, timestamp, compactionKey);
      }
      if (compact !== 1) this.#tail.stage(topic, partition, offset, record.key, record.value, timestamp, record.decoded);
      ends.set(partition, offset + 1);
      positions.push({ partition, offset });
    }
    return positions;
  }

  #commitInTransaction(groupId: string, topic: string, partition: number, nextOffset: number, now: number): void {
    this.#checkPartition(topic, partition);
    this.#statements.upsertCommitted.run(groupId, topic, partition, nextOffset, now);
  }

  #choosePartition(topic: string, partitions: number, record: ProduceRecord): number {
    if (record.partition !== undefined) {
      if (!Number.isInteger(record.partition) || record.partition < 0 || record.partition >= partitions) {
        throw new PartitionOutOfRangeError(topic, record.partition, partitions);
      }
      return record.partition;
    }
    if (record.key !== null) return partitionForKey(record.key, partitions);
    const next = this.#roundRobin.get(topic) ?? 0;
    this.#roundRobin.set(topic, (next + 1) % partitions);
    return next;
  }

  /** Topic metadata; partitions never change, so once seen it is cached (a topic made by another process is looked up). */
  #topic(topic: string): TopicRow {
    const cached = this.#topics.get(topic);
    if (cached !== undefined) return cached;
    let row: TopicRow | undefined;
    try {
      row = this.#statements.selectTopic.get(topic) as TopicRow | undefined;
    } catch (err) {
      throw mapSqliteError(err, `looking up topic ${topic}`);
    }
    if (row === undefined) throw new TopicNotFoundError(topic);
    this.#topics.set(topic, row);
    return row;
  }

  #checkPartition(topic: string, partition: number): void {
    this.#topicWithPartition(topic, partition);
  }

  /** The topic's metadata; throws unless it exists and has the partition. */
  #topicWithPartition(topic: string, partition: number): TopicRow {
    const row = this.#topic(topic);
    if (!Number.isInteger(partition) || partition < 0 || partition >= row.partitions) throw new PartitionOutOfRangeError(topic, partition, row.partitions);
    return row;
  }

  /** Runs `fn` in an IMMEDIATE transaction: taking the write lock up front lets busy_timeout queue writers of all processes. */
  #write<T>(what: string, fn: () => T): T {
    try {
      return this.#db.transaction(fn).immediate();
    } catch (err) {
      throw mapSqliteError(err, what);
    }
  }

  #liveBound(topic: string, partition: number): number | null {
    let bound: number | null = null;
    for (const live of this.#live) {
      if (live.topic !== topic || live.partition !== partition) continue;
      const committed = this.#backend.committedOffsetSync(live.groupId, topic, partition);
      const offset = committed ?? live.startOffset;
      bound = bound === null ? offset : Math.min(bound, offset);
    }
    return bound;
  }

  #sweepRetention(): void {
    if (this.#closed || this.#closing !== null) return;
    try {
      const { deletedRecords } = this.enforceRetention();
      if (deletedRecords > 0) this.#logger.debug({ deletedRecords }, 'retention deleted records');
    } catch (err) {
      this.#logger.warn({ err }, 'retention sweep failed; it runs again at the next interval');
    }
  }

  /** Polls `PRAGMA data_version`, which changes when another connection (another process) commits to the file. */
  #startPolling(): void {
    if (this.#pollTimer !== null || this.#closed) return;
    this.#dataVersion = this.#statements.dataVersion.get() as number;
    this.#pollTimer = setInterval(() => {
      if (this.#closed) return;
      try {
        const version = this.#statements.dataVersion.get() as number;
        if (version === this.#dataVersion) return;
        this.#dataVersion = version;
        for (const listener of [...this.#pollListeners]) listener();
      } catch (err) {
        this.#logger.debug({ err }, 'data_version poll failed');
      }
    }, this.#options.pollIntervalMs);
  }

  #stopPolling(): void {
    if (this.#pollTimer !== null) clearInterval(this.#pollTimer);
    this.#pollTimer = null;
  }

  #assertOpen(): void {
    if (this.#closed || this.#closing !== null) throw new LogClosedError();
  }

  #assertNotClosed(): void {
    if (this.#closed) throw new LogClosedError();
  }
}

/** Rejects topic options no adapter could honour, naming the field. */
function validateTopicOptions(topic: string, options: TopicOptions): void {
  if (topic.length === 0) throw new InvalidLogOptionsError('topic name must not be empty', 'topic');
  if (!Number.isInteger(options.partitions) || options.partitions < 1) {
    throw new InvalidLogOptionsError(`topic "${topic}": partitions must be a positive integer, got ${options.partitions}`, 'partitions');
  }
  if (options.retentionMs !== undefined && (!Number.isInteger(options.retentionMs) || options.retentionMs < 1)) {
    throw new InvalidLogOptionsError(`topic "${topic}": retentionMs must be a positive integer of milliseconds`, 'retentionMs');
  }
}
