/**
 * The event-store port: per-agent streams (`agent-<tenant>/<agentId>`, see agentStreamName) with optimistic concurrency, reads,
 * catch-up subscriptions and bounded retention. Adapters: SQLite (default) and EventStoreDB/KurrentDB.
 * Every adapter passes the contract suite in `@vigil/store/testing`.
 */

/** An event to append. */
export interface NewStreamEvent {
  /** Unique id (UUID); appending an id the stream already holds is idempotent where the adapter can tell. */
  readonly id: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** An event as stored. */
export interface StoredEvent {
  readonly streamName: string;
  /** 0-based position within its stream. */
  readonly revision: number;
  /** Position in the store-wide order (the `$all` stream), for subscriptions and checkpoints. */
  readonly position: bigint;
  readonly id: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** When the store accepted it, epoch ms. */
  readonly createdAt: number;
}

/** What the writer expects the stream to be: absent, at a revision, or anything. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** Result of an append. */
export interface AppendResult {
  /** Revision of the last appended event. */
  readonly nextExpectedRevision: number;
  readonly position: bigint;
}

/** Options of a stream read. */
export interface ReadStreamOptions {
  /** First revision to read (forwards) or last (backwards); defaults to start or end. */
  readonly fromRevision?: number;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
}

/** Retention of one stream: older or excess events are removed, the stream's revisions never reused. */
export interface StreamRetention {
  readonly maxCount?: number;
  readonly maxAgeMs?: number;
}

/** One stream's part of `appendToStreams`: as `appendToStream`, with the retention to set first (a new stream). */
export interface StreamAppend {
  readonly streamName: string;
  readonly events: readonly NewStreamEvent[];
  readonly expectedRevision: ExpectedRevision;
  readonly retention?: StreamRetention;
}

/** A live subscription; `close` ends it. */
export interface StoreSubscription {
  close(): Promise<void>;
}

/** Options of a store-wide catch-up subscription. */
export interface SubscribeOptions {
  /** Deliver events after this position (exclusive); from the start when absent. */
  readonly fromPosition?: bigint;
  /** Only streams whose name starts with this. */
  readonly streamPrefix?: string;
  readonly onEvent: (event: StoredEvent) => Promise<void> | void;
  readonly onError?: (err: unknown) => void;
}

/** The port. */
export interface EventStore {
  /** Appends atomically if the stream is at `expectedRevision`; else throws WrongExpectedRevisionError. */
  appendToStream(streamName: string, events: readonly NewStreamEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /**
   * Appends to several streams, each as `appendToStream` would (and setting its retention first when given), in one
   * atomic unit where the adapter has one (SQLite: one transaction, so a projector batch costs one commit, not one per
   * agent); otherwise one stream after another. Results in input order.
   */
  appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** Reads a stream; an absent stream reads as empty. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Catches up from a position, then delivers new events live, in store order. */
  subscribeToAll(options: SubscribeOptions): Promise<StoreSubscription>;
  /**
   * Deletes a stream (a soft delete, as EventStoreDB's `deleteStream`): it reads as empty, and a later append (`any`
   * or `no_stream`) starts it again holding only the new events. Deleting an absent stream is a no-op. The stream's
   * retention may go with it: set it again before appending to the new stream.
   */
  deleteStream(streamName: string): Promise<void>;
  /** Sets a stream's retention (applied on later appends, and by the adapter's own scavenging). */
  setStreamRetention(streamName: string, retention: StreamRetention): Promise<void>;
  /** Whether the store is reachable right now (for /readyz). */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}
