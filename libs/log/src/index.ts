/** `@vigil/log`: the log port, the partitioner every adapter shares, the log's errors, and the embedded adapter. */
export type {
  ConsumerHandlers,
  ConsumerOptions,
  EventLog,
  LogConsumer,
  LogRecord,
  LogTransaction,
  ProduceRecord,
  RecordBatch,
  RecordPosition,
  TopicOptions,
} from './log-port.ts';
export { partitionForKey, murmur2 } from './partitioner.ts';
export {
  LOG_ERROR_CODES,
  type LogErrorCode,
  TopicNotFoundError,
  TopicPartitionsMismatchError,
  PartitionOutOfRangeError,
  LogUnavailableError,
  LogClosedError,
  InvalidLogOptionsError,
  ConsumerAlreadyStartedError,
  TransactionEndedError,
  ProducerFencedError,
  LogRequestRejectedError,
} from './errors.ts';
export { EmbeddedLog } from './embedded/embedded-log.ts';
export { createInMemoryLog } from './embedded/in-memory-log.ts';
export { EmbeddedLogOptions, type ResolvedEmbeddedLogOptions } from './embedded/options.ts';
export type { RetentionResult } from './embedded/retention.ts';
export { onThreadSignal, raiseThreadSignal } from './thread-signal.ts';
