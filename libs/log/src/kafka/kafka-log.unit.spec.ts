import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import type { PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../partitioner.ts';
import { toLogError } from './kafka-errors.ts';
import { KafkaLog } from './kafka-log.ts';
import { parseKafkaLogOptions } from './options.ts';

/** Metadata of `count` partitions that all have a leader (kafkajs's partitioner only picks partitions with one). */
function partitions(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
}

describe('KafkaLog partitioning', () => {
  it("puts a key on the partition partitionForKey gives, as kafkajs's default partitioner does", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const keys = ['', 'a', 'tenant/agent-1', 'ünïcödé/🤖', ...Array.from({ length: 2_000 }, () => `t-${randomUUID()}/${randomUUID()}`)];
    for (const count of [1, 2, 3, 7, 12, 64]) {
      const metadata = partitions(count);
      for (const key of keys) {
        const chosen = partitioner({ topic: 't', partitionMetadata: metadata, message: { key, value: 'v' } });
        expect(chosen, `key ${JSON.stringify(key)} of ${count} partitions`).toBe(partitionForKey(key, count));
      }
    }
  });
});

describe('KafkaLog options', () => {
  it('accepts a comma-separated broker list, as in env KAFKA_BROKERS', () => {
    expect(parseKafkaLogOptions({ brokers: '127.0.0.1:9092, kafka-2:9092' }).brokers).toEqual(['127.0.0.1:9092', 'kafka-2:9092']);
  });

  it('rejects a broker without a port, naming the field', () => {
    expect(() => new KafkaLog({ brokers: ['localhost'] })).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_INVALID_LOG_OPTIONS', details: { field: 'brokers.0' } }));
  });

  it('rejects a heartbeat interval not below the session timeout, saying how to fix it', () => {
    expect(() => parseKafkaLogOptions({ brokers: 'b:9092', sessionTimeoutMs: 3_000, heartbeatIntervalMs: 3_000 })).toThrow(/heartbeatIntervalMs must be less than sessionTimeoutMs/);
  });
});

describe('KafkaLog error mapping', () => {
  it('maps a connection failure, even after retries ran out, to a retriable VIGIL_ERR_LOG_UNAVAILABLE', () => {
    const connection = Object.assign(new Error('Connection error: ECONNREFUSED'), { name: 'KafkaJSConnectionError', retriable: true });
    const exhausted = Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: connection });
    expect(toLogError(exhausted, { operation: 'append', topic: 't' })).toMatchObject({ code: 'VIGIL_ERR_LOG_UNAVAILABLE', retriable: true, statusCode: 503 });
  });

  it('maps a fenced producer epoch to a non-retriable VIGIL_ERR_PRODUCER_FENCED naming the transactional id', () => {
    const fenced = Object.assign(new Error('epoch'), { name: 'KafkaJSProtocolError', type: 'INVALID_PRODUCER_EPOCH', retriable: false });
    expect(toLogError(fenced, { operation: 'transaction', transactionalId: 'detector-0' })).toMatchObject({
      code: 'VIGIL_ERR_PRODUCER_FENCED',
      retriable: false,
      details: { transactionalId: 'detector-0' },
    });
  });

  it('maps an unknown topic to VIGIL_ERR_TOPIC_NOT_FOUND and other rejections to VIGIL_ERR_LOG_REQUEST_REJECTED', () => {
    const unknown = Object.assign(new Error('unknown'), { name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
    expect(toLogError(unknown, { operation: 'append', topic: 't' })).toMatchObject({ code: 'VIGIL_ERR_TOPIC_NOT_FOUND' });
    const tooLarge = Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false });
    expect(toLogError(tooLarge, { operation: 'append', topic: 't' })).toMatchObject({ code: 'VIGIL_ERR_LOG_REQUEST_REJECTED', retriable: false, details: { reason: 'MESSAGE_TOO_LARGE' } });
  });
});
