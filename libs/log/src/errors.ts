import { VigilError } from '@vigil/contracts';

/** Every error code `@vigil/log` throws on purpose; each has one class below and a row in the README's error table. */
export const LOG_ERROR_CODES = [
  'VIGIL_ERR_TOPIC_NOT_FOUND',
  'VIGIL_ERR_TOPIC_PARTITIONS_MISMATCH',
  'VIGIL_ERR_PARTITION_OUT_OF_RANGE',
  'VIGIL_ERR_LOG_UNAVAILABLE',
  'VIGIL_ERR_LOG_CLOSED',
  'VIGIL_ERR_INVALID_LOG_OPTIONS',
  'VIGIL_ERR_CONSUMER_ALREADY_STARTED',
  'VIGIL_ERR_TRANSACTION_ENDED',
  // Kafka adapter (appended by the Kafka adapter's author):
  'VIGIL_ERR_PRODUCER_FENCED',
  'VIGIL_ERR_LOG_REQUEST_REJECTED',
] as const;

/** One of the log's error codes. */
export type LogErrorCode = (typeof LOG_ERROR_CODES)[number];

/** A topic was used before `ensureTopic` created it: a deployment or start-order error, never retried. */
export class TopicNotFoundError extends VigilError {
  constructor(topic: string, cause?: unknown) {
    super('VIGIL_ERR_TOPIC_NOT_FOUND', `topic "${topic}" does not exist: create it with ensureTopic first`, {
      statusCode: 404,
      retriable: false,
      cause,
      details: { topic },
    });
    this.name = 'TopicNotFoundError';
  }
}

/**
 * `ensureTopic` found the topic with another partition count. Partitions are never changed behind the operator's back,
 * because that would move keys to other partitions and break per-agent order.
 */
export class TopicPartitionsMismatchError extends VigilError {
  constructor(topic: string, expected: number, actual: number) {
    super(
      'VIGIL_ERR_TOPIC_PARTITIONS_MISMATCH',
      `topic "${topic}" exists with ${actual} partitions, not ${expected}: configure ${actual} partitions, or recreate the topic`,
      { statusCode: 409, retriable: false, details: { topic, expected, actual } },
    );
    this.name = 'TopicPartitionsMismatchError';
  }
}

/** A partition number outside `0 .. partitions-1` of its topic. */
export class PartitionOutOfRangeError extends VigilError {
  constructor(topic: string, partition: number, partitions: number) {
    super('VIGIL_ERR_PARTITION_OUT_OF_RANGE', `partition ${partition} of topic "${topic}" is out of range 0..${partitions - 1}`, {
      statusCode: 400,
      retriable: false,
      details: { topic, partition, partitions },
    });
    this.name = 'PartitionOutOfRangeError';
  }
}

/** The log cannot be reached or is busy right now (broker down, SQLite file locked); trying again later may succeed. */
export class LogUnavailableError extends VigilError {
  constructor(message: string, cause?: unknown) {
    super('VIGIL_ERR_LOG_UNAVAILABLE', message, { statusCode: 503, retriable: true, cause });
    this.name = 'LogUnavailableError';
  }
}

/** The log was used after `close()`: a shutdown-order error, never retried. */
export class LogClosedError extends VigilError {
  constructor() {
    super('VIGIL_ERR_LOG_CLOSED', 'the log is closed', { statusCode: 503, retriable: false });
    this.name = 'LogClosedError';
  }
}

/** Options given to a log adapter (or a topic) are invalid; the message names the field and how to fix it. */
export class InvalidLogOptionsError extends VigilError {
  constructor(message: string, field: string, cause?: unknown) {
    super('VIGIL_ERR_INVALID_LOG_OPTIONS', message, { statusCode: 500, retriable: false, cause, details: { field } });
    this.name = 'InvalidLogOptionsError';
  }
}

/** `start()` was called on a consumer that was already started (or stopped): create a new consumer instead. */
export class ConsumerAlreadyStartedError extends VigilError {
  constructor(groupId: string, topic: string) {
    super('VIGIL_ERR_CONSUMER_ALREADY_STARTED', `consumer of group "${groupId}" on topic "${topic}" was already started; create a new one`, {
      statusCode: 500,
      retriable: false,
      details: { groupId, topic },
    });
    this.name = 'ConsumerAlreadyStartedError';
  }
}

/** A `LogTransaction` was used after its `work` function returned: the call would silently be lost otherwise. */
export class TransactionEndedError extends VigilError {
  constructor(transactionalId: string) {
    super('VIGIL_ERR_TRANSACTION_ENDED', `transaction "${transactionalId}" already ended: record everything before work resolves`, {
      statusCode: 500,
      retriable: false,
      details: { transactionalId },
    });
    this.name = 'TransactionEndedError';
  }
}

/**
 * A transaction was fenced: another process started a producer with the same transactional id, which on Kafka means
 * the input partition it stands for moved to another consumer (zombie fencing). Never retried: stop working on that
 * partition and let the rebalance hand it over.
 */
export class ProducerFencedError extends VigilError {
  constructor(transactionalId: string, cause?: unknown) {
    super('VIGIL_ERR_PRODUCER_FENCED', `transactional id "${transactionalId}" was taken over by another producer; this one is fenced`, {
      statusCode: 409,
      retriable: false,
      cause,
      details: { transactionalId },
    });
    this.name = 'ProducerFencedError';
  }
}

/**
 * The log rejected a request for a reason that retrying does not fix (a record too large, an invalid topic config, no
 * authorization); `details.reason` carries the log's own error name.
 */
export class LogRequestRejectedError extends VigilError {
  constructor(message: string, reason: string, cause?: unknown) {
    super('VIGIL_ERR_LOG_REQUEST_REJECTED', message, { statusCode: 500, retriable: false, cause, details: { reason } });
    this.name = 'LogRequestRejectedError';
  }
}
