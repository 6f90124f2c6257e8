import type { KafkaMessage } from 'kafkajs';
import type { LogRecord } from '../log-port.ts';

/**
 * A kafkajs message as the port's record. Offsets and timestamps are int64 strings in kafkajs; as numbers they are exact
 * up to 2^53, which no partition reaches. A null value (a tombstone written by another producer; the port cannot
 * write one) becomes the empty string, which no Vigil event parses as.
 */
export function toLogRecord(topic: string, partition: number, message: KafkaMessage): LogRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value === null ? '' : message.value.toString('utf8'),
    timestamp: Number(message.timestamp),
  };
}
