import type Database from 'better-sqlite3';
import { pino, type Logger } from 'pino';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewStreamEvent,
  ReadStreamOptions,
  StoredEvent,
  StoreSubscription,
  StreamRetention,
  SubscribeOptions,
  StreamAppend,
} from '../event-store-port.ts';
import { StoreClosedError, WrongExpectedRevisionError } from '../errors.ts';
import { parseStoreOptions } from '../parse-options.ts';
import { parseRetention } from '../retention.ts';
import { appendSignalKey, onAppendSignal, signalAppend } from './append-signal.ts';
import { migrateEventStore } from './event-store-schema.ts';
import { mapSqliteError } from './map-sqlite-error.ts';
import { openSqliteDatabase } from './open-database.ts';
import { SqliteEventStoreOptions, type ResolvedSqliteEventStoreOptions } from './options.ts';
import { SqliteSubscription } from './sqlite-subscription.ts';

interface StreamRow {
  last_revision: number;
  truncate_before: number;
  max_count: number | null;
  max_age_ms: number | null;
}

interface EventRow {
  position: number;
  stream_name: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  created_at: number;
}

interface EventIdRow {
  revision: number;
  event_id: string;
  position: number;
}

/** Lower bound of `created_at` when a stream has no age limit. */
const NO_AGE_LIMIT = Number.MIN_SAFE_INTEGER;
/** Streams swept per write transaction, so a sweep never holds the write lock for long. */
const SWEEP_STREAMS_PER_TRANSACTION = 200;

const EVENT_COLUMNS = 'position, stream_name, revision, event_id, type, data, metadata, created_at';

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    streamName: row.stream_name,
    revision: row.revision,
    position: BigInt(row.position),
    id: row.event_id,
    type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

/**
 * The default event store: SQLite through better-sqlite3, one file, shareable by several processes (WAL). Behaves
 * like EventStoreDB where the contract suite can tell: optimistic concurrency, idempotent re-appends of the same
 * event ids at the same place, a store-wide position, catch-up subscriptions and retention that never reuses a
 * revision. Unlike EventStoreDB, events removed by retention are gone from `subscribeToAll` too (there is no
 * separate scavenge).
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly ownsDatabase: boolean;
  private readonly options: ResolvedSqliteEventStoreOptions;
  private readonly logger: Logger;
  private readonly signalKey: string;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly sweepTimer: NodeJS.Timeout | null;
  private closed = false;

  private readonly stmt: {
    getStream: Database.Statement<[string], StreamRow>;
    insertStream: Database.Statement<[string, number]>;
    setLastRevision: Database.Statement<[number, string]>;
    setRetention: Database.Statement<[{ stream: string; maxCount: number | null; maxAgeMs: number | null }]>;
    setTruncateBefore: Database.Statement<[number, string]>;
    insertEvent: Database.Statement<[string, number, string, string, string, string, number]>;
    idsFrom: Database.Statement<[string, number, number], EventIdRow>;
    revisionOfId: Database.Statement<[string, string], { revision: number }>;
    lastPosition: Database.Statement<[string], { position: number }>;
    readForwards: Database.Statement<[string, number, number, number], EventRow>;
    readBackwards: Database.Statement<[string, number, number, number, number], EventRow>;
    deleteBefore: Database.Statement<[string, number]>;
    deleteOlderThan: Database.Statement<[string, number]>;
    minRevision: Database.Statement<[string], { min_revision: number | null }>;
    streamsWithMaxAge: Database.Statement<[string, number], { stream_name: string }>;
    allAfter: Database.Statement<[bigint, number], EventRow>;
    prefixAfter: Database.Statement<[{ after: bigint; prefixLength: number; prefix: string; limit: number }], EventRow>;
    ping: Database.Statement<[], { ok: number }>;
    deleteEvents: Database.Statement<[string]>;
    deleteStreamRow: Database.Statement<[string]>;
  };

  /** Opens (or shares) the SQLite file and creates the tables if needed; throws InvalidStoreOptionsError on bad options. */
  constructor(options: SqliteEventStoreOptions) {
    this.options = parseStoreOptions(SqliteEventStoreOptions, options, 'SqliteEventStore');
    this.logger = (this.options.logger ?? pino({ level: 'silent' })).child({ module: 'sqlite-event-store' });
    if (this.options.database) {
      this.db = this.options.database;
      this.ownsDatabase = false;
    } else {
      this.db = openSqliteDatabase(this.options.path!, { busyTimeoutMs: this.options.busyTimeoutMs });
      this.ownsDatabase = true;
    }
    migrateEventStore(this.db);
    this.signalKey = appendSignalKey(this.db);
    const db = this.db;
    this.stmt = {
      getStream: db.prepare('SELECT last_revision, truncate_before, max_count, max_age_ms FROM es_streams WHERE stream_name = ?'),
      insertStream: db.prepare('INSERT INTO es_streams (stream_name, last_revision) VALUES (?, ?)'),
      setLastRevision: db.prepare('UPDATE es_streams SET last_revision = ? WHERE stream_name = ?'),
      setRetention: db.prepare(
        `INSERT INTO es_streams (stream_name, last_revision, max_count, max_age_ms) VALUES (@stream, -1, @maxCount, @maxAgeMs)
         ON CONFLICT (stream_name) DO UPDATE SET max_count = @maxCount, max_age_ms = @maxAgeMs`,
      ),
      setTruncateBefore: db.prepare('UPDATE es_streams SET truncate_before = ? WHERE stream_name = ?'),
      insertEvent: db.prepare(
        'INSERT INTO es_events (stream_name, revision, event_id, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      idsFrom: db.prepare('SELECT revision, event_id, position FROM es_events WHERE stream_name = ? AND revision >= ? ORDER BY revision LIMIT ?'),
      revisionOfId: db.prepare('SELECT revision FROM es_events WHERE stream_name = ? AND event_id = ? ORDER BY revision LIMIT 1'),
      lastPosition: db.prepare('SELECT position FROM es_events WHERE stream_name = ? ORDER BY revision DESC LIMIT 1'),
      readForwards: db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_name = ? AND revision >= ? AND created_at >= ? ORDER BY revision ASC LIMIT ?`,
      ),
      readBackwards: db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM es_events
         WHERE stream_name = ? AND revision <= ? AND revision >= ? AND created_at >= ? ORDER BY revision DESC LIMIT ?`,
      ),
      deleteBefore: db.prepare('DELETE FROM es_events WHERE stream_name = ? AND revision < ?'),
      deleteOlderThan: db.prepare('DELETE FROM es_events WHERE stream_name = ? AND created_at < ?'),
      minRevision: db.prepare('SELECT MIN(revision) AS min_revision FROM es_events WHERE stream_name = ?'),
      streamsWithMaxAge: db.prepare(
        'SELECT stream_name FROM es_streams WHERE max_age_ms IS NOT NULL AND stream_name > ? ORDER BY stream_name LIMIT ?',
      ),
      allAfter: db.prepare(`SELECT ${EVENT_COLUMNS} FROM es_events WHERE position > ? ORDER BY position LIMIT ?`),
      prefixAfter: db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM es_events WHERE position > @after AND substr(stream_name, 1, @prefixLength) = @prefix ORDER BY position LIMIT @limit`,
      ),
      ping: db.prepare('SELECT 1 AS ok'),
      deleteEvents: db.prepare('DELETE FROM es_events WHERE stream_name = ?'),
      deleteStreamRow: db.prepare('DELETE FROM es_streams WHERE stream_name = ?'),
    };
    if (this.options.sweepOnTimer) {
      this.sweepTimer = setInterval(() => this.sweepOnTimer(), this.options.retentionSweepIntervalMs);
      // The sweep is housekeeping: it must not keep a process alive that has nothing else to do.
      this.sweepTimer.unref();
    } else {
      this.sweepTimer = null;
    }
  }

  /** Appends atomically at `expectedRevision`; re-appending the same ids at the same place returns the original result. */
  async appendToStream(streamName: string, events: readonly NewStreamEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    let result: { result: AppendResult; appended: boolean };
    try {
      result = this.db.transaction(() => this.appendInTransaction(streamName, events, expectedRevision, Date.now())).immediate();
    } catch (err) {
      throw mapSqliteError(err, `append to "${streamName}"`);
    }
    if (result.appended) signalAppend(this.signalKey);
    return result.result;
  }

  /** Appends to several streams (setting retentions first where given) in ONE transaction: all or nothing. */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    const valid = appends.map((a) => (a.retention === undefined ? undefined : parseRetention(a.retention)));
    let results: { result: AppendResult; appended: boolean }[];
    try {
      results = this.db
        .transaction(() => {
          const now = Date.now();
          return appends.map((a, i) => {
            const retention = valid[i];
            if (retention !== undefined) {
              this.stmt.setRetention.run({ stream: a.streamName, maxCount: retention.maxCount ?? null, maxAgeMs: retention.maxAgeMs ?? null });
              this.applyRetention(a.streamName, now);
            }
            return this.appendInTransaction(a.streamName, a.events, a.expectedRevision, now);
          });
        })
        .immediate();
    } catch (err) {
      throw mapSqliteError(err, `append to ${appends.length} streams`);
    }
    if (results.some((r) => r.appended)) signalAppend(this.signalKey);
    return results.map((r) => r.result);
  }

  /** Reads a stream within its retention; an absent stream reads as empty. */
  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const stream = this.stmt.getStream.get(streamName);
    if (stream === undefined || stream.last_revision < 0) return [];
    const limit = options.maxCount ?? -1; // LIMIT -1: no limit
    if (limit === 0) return [];
    const minCreatedAt = stream.max_age_ms === null ? NO_AGE_LIMIT : Date.now() - stream.max_age_ms;
    const rows =
      options.direction === 'backwards'
        ? this.stmt.readBackwards.all(streamName, options.fromRevision ?? stream.last_revision, stream.truncate_before, minCreatedAt, limit)
        : this.stmt.readForwards.all(streamName, Math.max(options.fromRevision ?? 0, stream.truncate_before), minCreatedAt, limit);
    return rows.map(toStoredEvent);
  }

  /** Catches up from `fromPosition` (exclusive), then delivers live appends, one at a time, in position order. */
  async subscribeToAll(options: SubscribeOptions): Promise<StoreSubscription> {
    this.assertOpen();
    const prefix = options.streamPrefix;
    const fetchAfter =
      prefix === undefined || prefix === ''
        ? (after: bigint, limit: number) => this.stmt.allAfter.all(after, limit).map(toStoredEvent)
        : (after: bigint, limit: number) => this.stmt.prefixAfter.all({ after, prefixLength: prefix.length, prefix, limit }).map(toStoredEvent);
    let unsubscribe: () => void = () => {};
    const subscription = new SqliteSubscription(
      options,
      fetchAfter,
      { pollIntervalMs: this.options.pollIntervalMs, batchSize: this.options.subscriptionBatchSize, logger: this.logger },
      (ended) => {
        unsubscribe();
        this.subscriptions.delete(ended);
      },
    );
    unsubscribe = onAppendSignal(this.signalKey, () => subscription.wake());
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Deletes the stream's events and its row (revision, retention): the next append starts a new stream at revision 0.
   * One statement is bounded here because every agent stream is capped by its `maxCount`.
   */
  async deleteStream(streamName: string): Promise<void> {
    this.assertOpen();
    try {
      this.db
        .transaction(() => {
          this.stmt.deleteEvents.run(streamName);
          this.stmt.deleteStreamRow.run(streamName);
        })
        .immediate();
    } catch (err) {
      throw mapSqliteError(err, `delete "${streamName}"`);
    }
  }

  /** Sets (or, with `{}`, clears) a stream's retention and applies it right away; the stream need not exist yet. */
  async setStreamRetention(streamName: string, retention: StreamRetention): Promise<void> {
    this.assertOpen();
    const valid = parseRetention(retention);
    try {
      this.db
        .transaction(() => {
          this.stmt.setRetention.run({ stream: streamName, maxCount: valid.maxCount ?? null, maxAgeMs: valid.maxAgeMs ?? null });
          this.applyRetention(streamName, Date.now());
        })
        .immediate();
    } catch (err) {
      throw mapSqliteError(err, `set retention of "${streamName}"`);
    }
  }

  /**
   * Deletes events of every stream that are past their maximum age; runs on a timer, exposed for tests and for
   * hosts that prefer to schedule it. Returns the number of events deleted.
   */
  sweepRetention(now: number = Date.now()): number {
    this.assertOpen();
    let deleted = 0;
    let after = '';
    for (;;) {
      const names = this.stmt.streamsWithMaxAge.all(after, SWEEP_STREAMS_PER_TRANSACTION).map((r) => r.stream_name);
      if (names.length === 0) return deleted;
      deleted += this.db
        .transaction(() => names.reduce((sum, name) => sum + this.applyRetention(name, now), 0))
        .immediate();
      after = names[names.length - 1]!;
    }
  }

  /** True while the file answers a query. */
  async isReady(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return this.stmt.ping.get()?.ok === 1;
    } catch (err) {
      this.logger.warn({ err }, 'event store is not ready');
      return false;
    }
  }

  /** Ends every subscription and the sweep; closes the file only if this store opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    if (this.ownsDatabase) this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError('SqliteEventStore');
  }

  private sweepOnTimer(): void {
    try {
      const deleted = this.sweepRetention();
      if (deleted > 0) this.logger.debug({ deleted }, 'retention sweep deleted events');
    } catch (err) {
      this.logger.warn({ err: mapSqliteError(err, 'retention sweep') }, 'retention sweep failed; will try again');
    }
  }

  private appendInTransaction(
    streamName: string,
    events: readonly NewStreamEvent[],
    expected: ExpectedRevision,
    now: number,
  ): { result: AppendResult; appended: boolean } {
    const stream = this.stmt.getStream.get(streamName);
    const last = stream?.last_revision ?? -1;
    const exists = last >= 0;
    const wrong = () => new WrongExpectedRevisionError(streamName, expected, last);

    // Where this batch would already be if it had been appended before (EventStoreDB's idempotency check).
    let idempotentFrom: number | null = null;
    if (typeof expected === 'number') {
      if (expected !== last) {
        if (expected > last || expected < -1) throw wrong();
        idempotentFrom = expected + 1;
      }
    } else if (expected === 'no_stream') {
      if (exists) idempotentFrom = 0;
    } else {
      if (expected === 'stream_exists' && !exists) throw wrong();
      const first = events[0];
      const found = first === undefined ? undefined : this.stmt.revisionOfId.get(streamName, first.id);
      if (found !== undefined) idempotentFrom = found.revision;
    }

    if (events.length === 0) {
      if (idempotentFrom !== null && typeof expected !== 'string') throw wrong();
      if (expected === 'no_stream' && exists) throw wrong();
      const lastPosition = this.stmt.lastPosition.get(streamName);
      return { result: { nextExpectedRevision: last, position: lastPosition ? BigInt(lastPosition.position) : 0n }, appended: false };
    }

    if (idempotentFrom !== null) {
      const rows = this.stmt.idsFrom.all(streamName, idempotentFrom, events.length);
      const same =
        rows.length === events.length && rows.every((row, i) => row.revision === idempotentFrom + i && row.event_id === events[i]!.id);
      if (!same) throw wrong();
      return {
        result: { nextExpectedRevision: idempotentFrom + events.length - 1, position: BigInt(rows[rows.length - 1]!.position) },
        appended: false,
      };
    }

    let position = 0;
    events.forEach((event, i) => {
      const info = this.stmt.insertEvent.run(
        streamName,
        last + 1 + i,
        event.id,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata ?? {}),
        now,
      );
      position = Number(info.lastInsertRowid);
    });
    const next = last + events.length;
    if (stream === undefined) this.stmt.insertStream.run(streamName, next);
    else this.stmt.setLastRevision.run(next, streamName);
    if (stream !== undefined && (stream.max_count !== null || stream.max_age_ms !== null)) this.applyRetention(streamName, now);
    return { result: { nextExpectedRevision: next, position: BigInt(position) }, appended: true };
  }

  /** Deletes what a stream's retention excludes and moves its truncation point forwards (never back); returns deletions. */
  private applyRetention(streamName: string, now: number): number {
    const stream = this.stmt.getStream.get(streamName);
    if (stream === undefined || stream.last_revision < 0) return 0;
    let deleted = 0;
    let truncateBefore = stream.truncate_before;
    if (stream.max_count !== null) {
      const cut = stream.last_revision + 1 - stream.max_count;
      if (cut > truncateBefore) {
        deleted += this.stmt.deleteBefore.run(streamName, cut).changes;
        truncateBefore = cut;
      }
    }
    if (stream.max_age_ms !== null) {
      const removed = this.stmt.deleteOlderThan.run(streamName, now - stream.max_age_ms).changes;
      if (removed > 0) {
        deleted += removed;
        const min = this.stmt.minRevision.get(streamName)?.min_revision ?? null;
        truncateBefore = Math.max(truncateBefore, min ?? stream.last_revision + 1);
      }
    }
    if (truncateBefore !== stream.truncate_before) this.stmt.setTruncateBefore.run(truncateBefore, streamName);
    return deleted;
  }
}
