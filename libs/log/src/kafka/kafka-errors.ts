import { VigilError } from '@vigil/contracts';
import { LogRequestRejectedError, LogUnavailableError, ProducerFencedError, TopicNotFoundError } from '../errors.ts';

/** What a failed call was doing, so the mapped error can name its topic or transactional id. */
export interface KafkaErrorContext {
  readonly operation: string;
  readonly topic?: string;
  readonly transactionalId?: string;
}

/** The fields of kafkajs errors this module looks at (kafkajs has no exported error types worth importing). */
interface KafkaJSErrorLike {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
  readonly message?: unknown;
}

/** Protocol errors meaning another producer owns the transactional id now (the zombie is fenced). */
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTION_COORDINATOR_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);

/** kafkajs errors that mean "the cluster is not reachable right now", whatever their own `retriable` says. */
const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
]);

/**
 * kafkajs errors that only wrap another one in `cause`: `KafkaJSNumberOfRetriesExceeded` wraps the last attempt's
 * error, and an outer retrier that gives up wraps it in `KafkaJSNonRetriableError` (a producer's send while the broker
 * is down ends as a NonRetriable error caused by KafkaJSConnectionError, which must map to "unavailable", 503, not
 * "rejected", 500: found by test/kafka/broker-restart.int.spec.ts).
 */
const WRAPPER_NAMES = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSNonRetriableError']);

/** The innermost kafkajs error, through the wrappers above. */
export function rootCause(err: unknown): KafkaJSErrorLike {
  let current = err as KafkaJSErrorLike;
  for (let depth = 0; depth < 5 && typeof current?.name === 'string' && WRAPPER_NAMES.has(current.name) && current.cause; depth++) {
    current = current.cause as KafkaJSErrorLike;
  }
  return current ?? {};
}

/**
 * Maps a kafkajs error to the log's error registry, so callers decide on `retriable` (CONVENTIONS 4) and never see a
 * kafkajs type. Errors that are already Vigil errors pass through.
 */
export function toLogError(err: unknown, context: KafkaErrorContext): VigilError {
  if (err instanceof VigilError) return err;
  const root = rootCause(err);
  const type = typeof root.type === 'string' ? root.type : undefined;
  const name = typeof root.name === 'string' ? root.name : 'Error';
  const message = typeof root.message === 'string' ? root.message : String(err);
  const where = context.topic === undefined ? context.operation : `${context.operation} on topic "${context.topic}"`;

  if (type !== undefined && FENCED_TYPES.has(type)) return new ProducerFencedError(context.transactionalId ?? '(none)', err);
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION' && context.topic !== undefined) return new TopicNotFoundError(context.topic, err);
  if (UNAVAILABLE_NAMES.has(name) || root.retriable === true) {
    return new LogUnavailableError(`kafka unavailable during ${where}: ${message}`, err);
  }
  return new LogRequestRejectedError(`kafka rejected ${where}: ${message}`, type ?? name, err);
}
