import type { Logger } from 'pino';
import type { LogRecord } from '../log-port.ts';
import type { ConsumerGroup } from './consumer-group.ts';

/** Where a live consumer of a partition started, so retention keeps what it has not committed yet. */
export interface LivePosition {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly startOffset: number;
}

/**
 * What `EmbeddedLog` lends its consumers: synchronous SQLite access (every call is one short statement or
 * transaction, never held across an await, so several handles in one thread never wait on each other) and wake-ups.
 */
export interface ConsumerBackend {
  readonly logger: Logger;
  /** How long an idle partition worker sleeps when nothing wakes it (a safety net under the poll and the notifier). */
  readonly idleWaitMs: number;
  /** Least time between two reads of a partition that did not fill a batch (`EmbeddedLogOptions.consumerLingerMs`). */
  readonly lingerMs: number;
  partitionCountSync(topic: string): number;
  readSync(topic: string, partition: number, fromOffset: number, limit: number): LogRecord[];
  endOffsetSync(topic: string, partition: number): number;
  committedOffsetSync(groupId: string, topic: string, partition: number): number | null;
  commitSync(groupId: string, topic: string, partition: number, nextOffset: number): void;
  /** Commits in the log's group commit (shared with the appends of the same turn); resolves once durable. */
  commit(groupId: string, topic: string, partition: number, nextOffset: number): Promise<void>;
  /** Calls `listener` when records may have been appended to `topic` (here, or in another process); returns removal. */
  subscribe(topic: string, listener: () => void): () => void;
  /** Registers a live position for retention; returns its removal. */
  trackLive(position: LivePosition): () => void;
  /** The group coordinator of `groupId` on `topic` in this log instance. */
  group(groupId: string, topic: string, partitions: number): ConsumerGroup;
}
