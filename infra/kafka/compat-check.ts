/**
 * Checks that kafkajs (the client Vigil uses) works against the running broker: the API versions both sides agree on,
 * keyed idempotent produce, a consumer group, and a transaction that appends and commits offsets (sendOffsets) read
 * back with read_committed. Run: `node --import tsx infra/kafka/compat-check.ts 127.0.0.1:9092`. Exit 0 = compatible.
 * Why it exists: Kafka 4 removed old protocol versions (KIP-896) and kafkajs 2.2.4 is unmaintained, so every Kafka
 * upgrade must be re-checked (README.md, "Why this Kafka version").
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, Producer } from 'kafkajs';

const brokers = (process.argv[2] ?? '127.0.0.1:9092').split(',');
// kafkajs logs every request it sends at debug level as "Request <Api>(key: k, version: v)": collect them, so the
// report shows which protocol versions were actually used (what KIP-896 could have removed).
const used = new Set<string>();
const kafka = new Kafka({
  clientId: 'vigil-compat-check',
  brokers,
  logLevel: logLevel.DEBUG,
  retry: { retries: 5 },
  logCreator: () => (entry) => {
    const match = /^Request (\w+)\(key: \d+, version: (\d+)\)/.exec(entry.log.message);
    if (match) used.add(`${match[1]} v${match[2]}`);
    if (entry.level <= logLevel.ERROR && process.env.VERBOSE === '1') console.error(entry.log.message, entry.log.error);
  },
});
const topic = `vigil-compat-${randomUUID()}`;
const out = `${topic}-out`;
const group = `vigil-compat-${randomUUID()}`;
const closers: Array<() => Promise<void>> = [];

/** Runs one named step, printing ok or the failure. */
async function step(name: string, run: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await run();
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    console.log(`FAIL ${name}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    throw err;
  }
}

/** Consumes `count` messages of `fromTopic` with a fresh group, read_committed. */
async function consumeAll(fromTopic: string, count: number, groupId: string): Promise<string[]> {
  const consumer: Consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 10_000 });
  closers.push(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic: fromTopic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${values.length} of ${count} messages`)), 20_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '');
        if (values.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return values;
}

try {
  const admin = kafka.admin();
  closers.push(() => admin.disconnect());
  await admin.connect();

  await step('createTopics', async () => {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }, { topic: out, numPartitions: 3 }], waitForLeaders: true });
  });

  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  closers.push(() => producer.disconnect());
  await step('idempotent keyed produce (acks=-1)', async () => {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [1, 2, 3, 4].map((i) => ({ key: `agent-${i}`, value: `v${i}` })) });
  });

  await step('consumer group receives and commits', async () => {
    const values = await consumeAll(topic, 4, group);
    if (values.length !== 4) throw new Error(`expected 4 values, got ${values.length}`);
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const committed = offsets[0]?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    if (committed !== 4) throw new Error(`expected committed offsets to sum to 4, got ${String(committed)}`);
  });

  await step('transaction: send + sendOffsets + commit', async () => {
    const txProducer = kafka.producer({ transactionalId: `vigil-compat-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    closers.push(() => txProducer.disconnect());
    await txProducer.connect();
    const tx = await txProducer.transaction();
    await tx.send({ topic: out, messages: [{ key: 'a', value: 'committed' }] });
    await tx.sendOffsets({ consumerGroupId: `${group}-tx`, topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] });
    await tx.commit();
    // The coordinator applies transactional offsets when the commit marker is written, just after EndTxn returns.
    let p0: string | undefined;
    for (let i = 0; i < 50 && p0 !== '1'; i++) {
      const offsets = await admin.fetchOffsets({ groupId: `${group}-tx`, topics: [topic] });
      p0 = offsets[0]?.partitions.find((p) => p.partition === 0)?.offset;
      if (p0 !== '1') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (p0 !== '1') throw new Error(`expected the transaction to commit offset 1, got ${String(p0)}`);

    const aborted = await txProducer.transaction();
    await aborted.send({ topic: out, messages: [{ key: 'a', value: 'aborted' }] });
    await aborted.abort();
    const tx3 = await txProducer.transaction();
    await tx3.send({ topic: out, messages: [{ key: 'a', value: 'committed-2' }] });
    await tx3.commit();
  });

  await step('read_committed hides the aborted transaction', async () => {
    const values = await consumeAll(out, 2, `${group}-rc`);
    if (values.join(',') !== 'committed,committed-2') throw new Error(`read ${values.join(',')}`);
  });

  await step('fetchTopicOffsets / deleteTopics', async () => {
    await admin.fetchTopicOffsets(topic);
    await admin.deleteTopics({ topics: [topic, out] });
  });
  console.log(`kafkajs works with the broker at ${brokers.join(',')}`);
  console.log(`protocol versions used: ${[...used].sort().join(', ')}`);
} catch {
  process.exitCode = 1;
} finally {
  for (const close of closers.reverse()) await close().catch(() => undefined);
}
