/**
 * `@vigil/store`: the event-store and read-model ports, and their adapters (SQLite by default, EventStoreDB/KurrentDB
 * in production). The contract suite ships from `@vigil/store/testing`; the EventStoreDB adapter from
 * `@vigil/store/eventstoredb`, apart so that its gRPC stack is loaded only where an `esdb:` store is configured.
 */
export type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewStreamEvent,
  ReadStreamOptions,
  StoredEvent,
  StoreSubscription,
  StreamAppend,
  StreamRetention,
  SubscribeOptions,
} from './event-store-port.ts';
export type {
  AgentFilter,
  AgentSort,
  LabelMatch,
  MetricQuery,
  ProjectionBatch,
  ProjectionCheckpoint,
  ReadModel,
  SequencedTransition,
  TenantRetention,
  Tombstone,
  TombstoneRelease,
  TransitionQuery,
} from './read-model-port.ts';
export {
  STORE_ERROR_CODES,
  InvalidCursorError,
  InvalidStoreOptionsError,
  StoreClosedError,
  StoreUnavailableError,
  WrongExpectedRevisionError,
  type StoreErrorCode,
} from './errors.ts';
export { StreamRetentionSchema } from './retention.ts';
export { SqliteEventStore } from './sqlite/sqlite-event-store.ts';
export { SqliteReadModel } from './sqlite/sqlite-read-model.ts';
export type { AgentStatusChange } from './sqlite/read-model-status-changes.ts';
export { ReadModelRetentionOptions, type ResolvedReadModelRetention, type RetentionSweepResult } from './sqlite/read-model-retention.ts';
export { openSqliteDatabase, DEFAULT_BUSY_TIMEOUT_MS } from './sqlite/open-database.ts';
export {
  SqliteEventStoreOptions,
  SqliteReadModelOptions,
  type ResolvedSqliteEventStoreOptions,
} from './sqlite/options.ts';
