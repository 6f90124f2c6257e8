import { randomUUID } from 'node:crypto';
import { KafkaLog, type KafkaLogOptions } from '@vigil/log/kafka';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';

/** A fresh topic prefix (`vigil-test-<uuid>.`): each test has its own topics and consumer groups. */
export function testPrefix(): string {
  return `vigil-test-${randomUUID()}.`;
}

/**
 * A KafkaLog on the test broker with short group timeouts, so a failure or a rebalance shows up in seconds rather
 * than as a hung test. `overrides` win.
 */
export function testKafkaLog(brokers: string, overrides: Partial<KafkaLogOptions> = {}): KafkaLog {
  return new KafkaLog({
    brokers,
    clientId: `vigil-test-${randomUUID().slice(0, 8)}`,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    rebalanceTimeoutMs: 20_000,
    ...overrides,
  });
}

/** A record read by a plain kafkajs consumer. */
export interface ReadRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string;
}

/** A plain kafkajs consumer (read_committed, its own group) collecting every record of a topic from the beginning. */
export interface TopicTail {
  readonly records: ReadRecord[];
  /** Resolves once `done(records)` holds, or rejects after `timeoutMs` naming what it saw. */
  until(done: (records: readonly ReadRecord[]) => boolean, timeoutMs: number, what: string): Promise<readonly ReadRecord[]>;
  close(): Promise<void>;
}

/** Starts a kafkajs consumer that reads `topic` from the beginning into memory (as any downstream consumer would). */
export async function tailTopic(brokers: string, topic: string): Promise<TopicTail> {
  const kafka = new Kafka({ clientId: `vigil-test-tail-${randomUUID().slice(0, 8)}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: `vigil-test-tail-${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  const records: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      records.push({ partition, offset: Number(message.offset), key: message.key?.toString('utf8') ?? null, value: message.value?.toString('utf8') ?? '' });
    },
  });
  return {
    records,
    async until(done, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      while (!done(records)) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${records.length} records on ${topic}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return records;
    },
    close: () => consumer.disconnect(),
  };
}
