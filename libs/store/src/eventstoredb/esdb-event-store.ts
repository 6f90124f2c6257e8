import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  type AppendExpectedRevision,
  type StreamMetadata,
} from '@eventstore/db-client';
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
import { InvalidStoreOptionsError, StoreClosedError } from '../errors.ts';
import { parseStoreOptions } from '../parse-options.ts';
import { parseRetention } from '../retention.ts';
import { packPosition, unpackPosition } from './esdb-position.ts';
import { EsdbSubscription } from './esdb-subscription.ts';
import { mapEsdbError } from './map-esdb-error.ts';
import { EsdbEventStoreOptions } from './options.ts';
import { toStoredEvent } from './to-stored-event.ts';

function toAppendExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected < 0 ? NO_STREAM : BigInt(expected);
}

/**
 * The production event store: EventStoreDB / KurrentDB through `@eventstore/db-client`. Retention is stream
 * metadata (`$maxCount`, `$maxAge` in whole seconds), which the server applies to reads at once and to disk at its
 * next scavenge; until then `subscribeToAll` may still deliver events that reads no longer return. Positions are the
 * server's (commit, prepare) pair packed into one bigint (see `packPosition`).
 */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly logger: Logger;
  private readonly readyTimeoutMs: number;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;

  /** Creates the client from a connection string (it connects lazily, on first use); throws on bad options. */
  constructor(options: EsdbEventStoreOptions) {
    const parsed = parseStoreOptions(EsdbEventStoreOptions, options, 'EsdbEventStore');
    this.logger = (parsed.logger ?? pino({ level: 'silent' })).child({ module: 'esdb-event-store' });
    this.readyTimeoutMs = parsed.readyTimeoutMs;
    try {
      this.client = EventStoreDBClient.connectionString(parsed.connectionString);
    } catch (err) {
      throw new InvalidStoreOptionsError(
        `EsdbEventStore options are invalid at "connectionString": ${err instanceof Error ? err.message : String(err)}`,
        'connectionString',
        err,
      );
    }
  }

  /** Appends at `expectedRevision`; the server makes re-appends of the same ids at the same place idempotent. */
  async appendToStream(streamName: string, events: readonly NewStreamEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const data = events.map((event) =>
      jsonEvent({
        id: event.id,
        type: event.type,
        data: { ...event.data },
        ...(event.metadata === undefined ? {} : { metadata: { ...event.metadata } }),
      }),
    );
    try {
      const result = await this.client.appendToStream(streamName, data, { expectedRevision: toAppendExpected(expectedRevision) });
      return {
        nextExpectedRevision: Number(result.nextExpectedRevision),
        position: result.position === undefined ? -1n : packPosition(result.position),
      };
    } catch (err) {
      throw mapEsdbError(err, `append to "${streamName}"`, { streamName, expected: expectedRevision });
    }
  }

  /** Reads a stream as the server's retention leaves it; an absent stream reads as empty. */
  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const out: StoredEvent[] = [];
    try {
      const read = this.client.readStream(streamName, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      for await (const resolved of read) {
        const event = toStoredEvent(resolved);
        if (event !== null) out.push(event);
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw mapEsdbError(err, `read "${streamName}"`);
    }
    return out;
  }

  /** Catches up on `$all` after `fromPosition` (exclusive), then follows it live; system events are left out. */
  async subscribeToAll(options: SubscribeOptions): Promise<StoreSubscription> {
    this.assertOpen();
    const prefix = options.streamPrefix;
    const source = this.client.subscribeToAll({
      fromPosition: options.fromPosition === undefined ? START : unpackPosition(options.fromPosition),
      filter: prefix === undefined || prefix === '' ? excludeSystemEvents() : streamNameFilter({ prefixes: [prefix] }),
    });
    const subscription = new EsdbSubscription(source, options, this.logger, (ended) => this.subscriptions.delete(ended));
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** One stream after another (EventStoreDB has no multi-stream transaction); each append is atomic on its own. */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const a of appends) {
      if (a.retention !== undefined) await this.setStreamRetention(a.streamName, a.retention);
      results.push(await this.appendToStream(a.streamName, a.events, a.expectedRevision));
    }
    return results;
  }

  /** Soft-deletes the stream (`deleteStream`, not a tombstone: an agent forgotten may come back as new). */
  async deleteStream(streamName: string): Promise<void> {
    this.assertOpen();
    try {
      await this.client.deleteStream(streamName, { expectedRevision: ANY });
    } catch (err) {
      if (err instanceof StreamNotFoundError) return;
      throw mapEsdbError(err, `delete "${streamName}"`);
    }
  }

  /** Writes `$maxCount` / `$maxAge` into the stream's metadata, keeping whatever else the metadata holds. */
  async setStreamRetention(streamName: string, retention: StreamRetention): Promise<void> {
    this.assertOpen();
    const valid = parseRetention(retention);
    try {
      const current = await this.client.getStreamMetadata(streamName);
      const metadata: StreamMetadata = { ...(current.metadata ?? {}) };
      delete metadata.maxCount;
      delete metadata.maxAge;
      if (valid.maxCount !== undefined) metadata.maxCount = valid.maxCount;
      if (valid.maxAgeMs !== undefined) metadata.maxAge = Math.ceil(valid.maxAgeMs / 1000);
      await this.client.setStreamMetadata(streamName, metadata);
    } catch (err) {
      throw mapEsdbError(err, `set retention of "${streamName}"`);
    }
  }

  /** True when the server answers a one-event read of `$all` within `readyTimeoutMs`. */
  async isReady(): Promise<boolean> {
    if (this.closed) return false;
    try {
      const read = this.client.readAll({ maxCount: 1, deadline: this.readyTimeoutMs });
      for await (const _ of read) break;
      return true;
    } catch (err) {
      this.logger.warn({ err: mapEsdbError(err, 'readiness check') }, 'event store is not ready');
      return false;
    }
  }

  /** Ends every subscription and disposes of the client's connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError('EsdbEventStore');
  }
}
