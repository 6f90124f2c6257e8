import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { LogRecord } from '../log-port.ts';
import { toLogRecord } from './records.ts';

/** What `readPartition` reads and how long it may take. */
export interface ReadPartitionRequest {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly fromOffset: number;
  /** The partition's end offset when the read began: the read is complete once the consumer has passed it. */
  readonly endOffset: number;
  readonly limit: number;
  readonly timeoutMs: number;
  readonly maxWaitTimeMs: number;
  readonly logger: Logger;
}

/**
 * Reads committed records of one partition with a throwaway consumer group: join (the single member gets every
 * partition), pause the other partitions, seek, collect. It ends when `limit` records are in hand, or when the consumer
 * has passed `endOffset` (kafkajs reports the last offset of every batch, including batches that held only transaction
 * markers or aborted records, which are never delivered), or after `timeoutMs` with what it has: records of a
 * transaction still open stay unreadable until it ends. The group never commits, so the broker forgets it once empty.
 */
export async function readPartition(kafka: Kafka, request: ReadPartitionRequest): Promise<LogRecord[]> {
  const { topic, partition, fromOffset, endOffset, limit } = request;
  const consumer = kafka.consumer({
    groupId: request.groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: request.maxWaitTimeMs,
  });
  const records: LogRecord[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.partition === partition && Number(payload.lastOffset) >= endOffset - 1) finish();
  });
  let assigned: Readonly<Record<string, readonly number[]>> = {};
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = payload.memberAssignment;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== partition) return;
        for (const message of batch.messages) {
          if (records.length >= limit) break;
          if (Number(message.offset) >= fromOffset) records.push(toLogRecord(topic, partition, message));
        }
        if (records.length >= limit) finish();
      },
    });
    // The other partitions are not wanted: pause them so fetches carry this partition only.
    const others = (assigned[topic] ?? []).filter((p) => p !== partition);
    if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    consumer.seek({ topic, partition, offset: String(fromOffset) });
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), request.timeoutMs);
    });
    if ((await Promise.race([finished, timedOut])) === 'timeout') {
      request.logger.debug({ topic, partition, fromOffset, endOffset, read: records.length }, 'kafka read timed out before the end offset');
    }
    return records.slice(0, limit);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}
