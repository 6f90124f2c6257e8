import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { toLogError } from '../../libs/log/src/kafka/kafka-errors.ts';

/**
 * Regression (found by test/kafka/broker-restart.int.spec.ts): a produce while the broker was down failed with
 * KafkaJSNonRetriableError whose cause is the KafkaJSConnectionError (the producer's outer retrier gives up on the inner
 * one's exhausted retries). The mapping unwrapped only the middle layer, so the error became
 * VIGIL_ERR_LOG_REQUEST_REJECTED and ingest answered 500 instead of 503 + Retry-After.
 */
describe('a kafkajs connection error wrapped by both retriers', () => {
  it('maps to VIGIL_ERR_LOG_UNAVAILABLE, retriable', () => {
    const connection = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    const exhausted = new KafkaJSNumberOfRetriesExceeded(connection, { retryCount: 2, retryTime: 400 });
    // As kafkajs's retrier builds it (retry/index.js, `{ cause: e.cause || e }`; its typings omit that argument): the
    // NonRetriable error's cause is the attempt's error.
    const gaveUp = Object.assign(new KafkaJSNonRetriableError(exhausted), { cause: connection });
    expect(toLogError(gaveUp, { operation: 'append', topic: 'vigil.agent-events' })).toMatchObject({ code: 'VIGIL_ERR_LOG_UNAVAILABLE', retriable: true });
  });

  it('still maps a rejection wrapped the same way to VIGIL_ERR_LOG_REQUEST_REJECTED', () => {
    const tooLarge = new Error('The request included a message larger than the max message size the server will accept');
    const gaveUp = Object.assign(new KafkaJSNonRetriableError(tooLarge), { cause: tooLarge });
    expect(toLogError(gaveUp, { operation: 'append' })).toMatchObject({ code: 'VIGIL_ERR_LOG_REQUEST_REJECTED', retriable: false });
  });
});
