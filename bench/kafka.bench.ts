/**
 * Kafka benchmark: heartbeats per second end to end through a real broker. The same fleet log (200,000 heartbeats over
 * 20,000 agents, 5% of them going silent, plus a tick per partition per second of event time; 8 partitions) is run
 * twice, each on a fresh topic, measured from the first produce until the consumer group's committed offsets reach the
 * end of the input. The producer runs in a worker thread (ingest and detector are separate processes in production):
 *
 *  - baseline: plain kafkajs — a producer with the Kafka adapter's settings (idempotent, acks all, one request in
 *    flight) and a consumer group that reads every message and commits after each batch;
 *  - vigil: the ingest path (`KafkaLog.append`) into a real `DetectorService` on `KafkaLog`, which folds each batch and
 *    writes its outputs, its state changelog and its input offset in one Kafka transaction per batch.
 *
 * Each run is then repeated as a catch-up (a new group over the already-written topic): the consumer side's rate alone.
 * Env: KAFKA_BROKERS (127.0.0.1:9092), BENCH_KAFKA_BEATS, BENCH_KAFKA_AGENTS, BENCH_KAFKA_PARTITIONS,
 * BENCH_KAFKA_PRODUCE_BATCH (records per produce request), BENCH_KAFKA_TX_BATCH (the detector's maxBatchSize: most
 * records per transaction), BENCH_KAFKA_FETCH_BYTES (fetch size per partition, both consumers),
 * BENCH_KAFKA_WARMUP (heartbeats of a warm-up round; 0 for none).
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { topicNames } from '@vigil/contracts';
import { DetectorService, defaultDetectorServiceOptions, type DetectorServiceStats } from '@vigil/detector';
import { KafkaLog } from '@vigil/log/kafka';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { pino } from 'pino';
import { awaitCommitted, brokerAnswers, endOffsets, infraKafkaVersion } from './kafka-broker.ts';
import type { FleetOptions } from './kafka-fleet.ts';
import type { ProducerJob, ProducerMessage } from './kafka-producer-worker.ts';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter((b) => b.length > 0);
const BEATS = env('BENCH_KAFKA_BEATS', 200_000);
const AGENTS = env('BENCH_KAFKA_AGENTS', 20_000);
const PARTITIONS = env('BENCH_KAFKA_PARTITIONS', 8);
const PRODUCE_BATCH = env('BENCH_KAFKA_PRODUCE_BATCH', 1_000);
const TX_BATCH = env('BENCH_KAFKA_TX_BATCH', 20_000);
const FETCH_BYTES = env('BENCH_KAFKA_FETCH_BYTES', 4 * 1024 * 1024);
const WARMUP = env('BENCH_KAFKA_WARMUP', 20_000);
/** No run of this size takes minutes; past this the bench fails rather than hangs. */
const RUN_TIMEOUT_MS = 300_000;

/** Timings of one run: end to end and produce-only from the first produce, and the catch-up of a second group. */
interface RunResult {
  readonly records: number;
  readonly heartbeats: number;
  readonly ticks: number;
  readonly produceSec: number;
  readonly totalSec: number;
  readonly catchUpSec: number;
}

/** A run of the detector, with what it did. */
interface VigilResult extends RunResult {
  readonly stats: DetectorServiceStats;
}

const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2));
const seconds = (from: number, to: number): number => (to - from) / 1000;

/** Runs the producer worker; resolves with the main-thread times of its first send and last acknowledgement. */
function produceInWorker(job: ProducerJob): Promise<{ started: number; done: number; records: number; heartbeats: number; ticks: number }> {
  return new Promise((resolve, reject) => {
    // tsx's loader does not reach a worker's entry module (ERR_UNKNOWN_FILE_EXTENSION), so a plain bootstrap registers
    // it in the worker first and then imports the TypeScript module.
    const entry = JSON.stringify(new URL('./kafka-producer-worker.ts', import.meta.url).href);
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); })`;
    const worker = new Worker(bootstrap, { eval: true, workerData: job });
    let started = 0;
    worker.on('message', (message: ProducerMessage) => {
      if (message.type === 'started') started = performance.now();
      else resolve({ started, done: performance.now(), records: message.records, heartbeats: message.heartbeats, ticks: message.ticks });
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`producer worker exited with code ${code}`));
    });
  });
}

/**
 * A kafkajs client and admin for one run: an admin that once asked about a topic keeps refreshing its metadata, and
 * complains once the run deletes it, so no client outlives its run's topics.
 */
async function runClient(clientId: string): Promise<{ kafka: Kafka; admin: Admin }> {
  const kafka = new Kafka({ clientId, brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  return { kafka, admin };
}

/** A plain kafkajs consumer group that reads every message and commits after each batch; resolves once it has joined. */
async function plainConsumer(kafka: Kafka, groupId: string, topic: string): Promise<Consumer> {
  // The detector's consumer settings (fetch sizes, wait), so that only what is done with the records differs.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, maxBytesPerPartition: FETCH_BYTES, maxBytes: Math.max(10 * 1024 * 1024, FETCH_BYTES * 8) });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let bytes = 0;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      // "Reading every message": touch each value, so the baseline pays for decoding the record batch.
      for (const m of batch.messages) bytes += m.value?.length ?? 0;
    },
  });
  await joined;
  if (bytes < 0) console.log('unreachable');
  return consumer;
}

async function runBaseline(fleet: FleetOptions): Promise<RunResult> {
  const topic = `vigil-bench-${randomUUID()}.baseline`;
  const { kafka, admin } = await runClient('vigil-bench-baseline');
  const consumers: Consumer[] = [];
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    consumers.push(await plainConsumer(kafka, `${topic}-group`, topic));
    const produced = await produceInWorker({ brokers: BROKERS, topic, fleet, batch: PRODUCE_BATCH, client: 'kafkajs' });
    const ends = await endOffsets(admin, topic);
    const done = await awaitCommitted(admin, `${topic}-group`, topic, ends, RUN_TIMEOUT_MS);
    const catchUpStart = performance.now();
    consumers.push(await plainConsumer(kafka, `${topic}-catch-up`, topic));
    const caughtUp = await awaitCommitted(admin, `${topic}-catch-up`, topic, ends, RUN_TIMEOUT_MS);
    return {
      ...produced,
      produceSec: seconds(produced.started, produced.done),
      totalSec: seconds(produced.started, done),
      catchUpSec: seconds(catchUpStart, caughtUp),
    };
  } finally {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function runVigil(fleet: FleetOptions): Promise<VigilResult> {
  const prefix = `vigil-bench-${randomUUID()}.`;
  const topics = topicNames(prefix);
  const { admin } = await runClient('vigil-bench-watch');
  const log = new KafkaLog({ brokers: BROKERS, clientId: 'vigil-bench-detector', logger, fetchMaxBytesPerPartition: FETCH_BYTES });
  const options = { ...defaultDetectorServiceOptions(prefix), maxBatchSize: TX_BATCH };
  const catchUpOptions = { ...defaultDetectorServiceOptions(`${prefix}catch-up.`), maxBatchSize: TX_BATCH };
  const detector = new DetectorService({ log, topics, logger }, options);
  const catchUp = new DetectorService({ log, topics, logger }, catchUpOptions);
  try {
    await log.ensureTopic(topics.agentEvents, { partitions: PARTITIONS });
    await log.ensureTopic(topics.statusTransitions, { partitions: PARTITIONS });
    await detector.start();
    const produced = await produceInWorker({ brokers: BROKERS, topic: topics.agentEvents, fleet, batch: PRODUCE_BATCH, client: 'kafkalog' });
    const ends = await endOffsets(admin, topics.agentEvents);
    const done = await awaitCommitted(admin, options.groupId, topics.agentEvents, ends, RUN_TIMEOUT_MS);
    const stats = detector.stats();
    await detector.stop();
    // Catch-up: a second detector group (with its own state topic) over the written log, timed from its start.
    const catchUpStart = performance.now();
    await catchUp.start();
    const caughtUp = await awaitCommitted(admin, catchUpOptions.groupId, topics.agentEvents, ends, RUN_TIMEOUT_MS);
    return {
      ...produced,
      produceSec: seconds(produced.started, produced.done),
      totalSec: seconds(produced.started, done),
      catchUpSec: seconds(catchUpStart, caughtUp),
      stats,
    };
  } finally {
    await Promise.allSettled([detector.stop(), catchUp.stop()]);
    await log.close();
    const created = [topics.agentEvents, topics.statusTransitions, options.stateTopic, catchUpOptions.stateTopic];
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  }
}

const perSec = (events: number, sec: number): number => Math.round(events / sec);
const fmt = (n: number): string => n.toLocaleString('en');

/** Runs the benchmark and prints its lines; the last is the JSON summary. */
export async function runKafkaBench(): Promise<void> {
  if (!(await brokerAnswers(BROKERS, 5_000))) {
    console.error(`kafka bench: no Kafka broker answers at ${BROKERS.join(',')} (start one with \`npm run kafka:up\`, or set KAFKA_BROKERS=host:port)`);
    process.exit(1);
  }
  const kafkaVersion = infraKafkaVersion();
  const fleet: FleetOptions = { heartbeats: BEATS, agents: AGENTS, partitions: PARTITIONS, intervalSeconds: 30, silentEvery: 20, startMs: Date.UTC(2026, 0, 1) };
  console.log(
    `kafka bench: ${fmt(BEATS)} heartbeats over ${fmt(AGENTS)} agents + ticks, ${PARTITIONS} partitions, broker ${BROKERS.join(',')} ` +
      `(Kafka ${kafkaVersion.version}, from ${kafkaVersion.source}); ${fmt(PRODUCE_BATCH)} records per produce, up to ${fmt(TX_BATCH)} per transaction, ` +
      `fetch ${fmt(FETCH_BYTES)} bytes per partition`,
  );
  if (WARMUP > 0) {
    // JIT, connections and the broker's page cache warm up on a small fleet first, for both alike.
    const warm = { ...fleet, agents: Math.min(AGENTS, Math.ceil(WARMUP / 5)), heartbeats: WARMUP };
    await runBaseline(warm);
    await runVigil(warm);
  }
  const baseline = await runBaseline(fleet);
  const vigil = await runVigil(fleet);

  const events = vigil.records;
  const baselinePerSec = perSec(baseline.records, baseline.totalSec);
  const eventsPerSec = perSec(events, vigil.totalSec);
  const txs = vigil.stats.batches;
  console.log(
    `baseline (kafkajs producer + plain consumer group): ${fmt(baselinePerSec)} events/s end to end (${baseline.totalSec.toFixed(2)} s); ` +
      `produce alone ${fmt(perSec(baseline.records, baseline.produceSec))}/s, consumer catch-up ${fmt(perSec(baseline.records, baseline.catchUpSec))}/s`,
  );
  console.log(
    `vigil (KafkaLog.append + DetectorService, a transaction per batch): ${fmt(eventsPerSec)} events/s end to end (${vigil.totalSec.toFixed(2)} s); ` +
      `produce alone ${fmt(perSec(events, vigil.produceSec))}/s, detector catch-up ${fmt(perSec(events, vigil.catchUpSec))}/s; ` +
      `${fmt(txs)} transactions of ${fmt(Math.round(events / Math.max(1, txs)))} records on average, ${fmt(vigil.stats.outputs)} outputs`,
  );
  console.log(
    JSON.stringify({
      bench: 'kafka',
      eventsPerSec,
      baselinePerSec,
      ratio: Math.round((eventsPerSec / baselinePerSec) * 1000) / 1000,
      kafkaVersion: kafkaVersion.version,
      heartbeatsPerSec: perSec(vigil.heartbeats, vigil.totalSec),
      produceOnlyPerSec: perSec(events, vigil.produceSec),
      baselineProduceOnlyPerSec: perSec(baseline.records, baseline.produceSec),
      catchUpPerSec: perSec(events, vigil.catchUpSec),
      baselineCatchUpPerSec: perSec(baseline.records, baseline.catchUpSec),
      catchUpRatio: Math.round((baseline.catchUpSec / vigil.catchUpSec) * 1000) / 1000,
      transactions: txs,
      outputs: vigil.stats.outputs,
      heartbeats: vigil.heartbeats,
      ticks: vigil.ticks,
      agents: AGENTS,
      partitions: PARTITIONS,
      produceBatch: PRODUCE_BATCH,
      maxBatchSize: TX_BATCH,
      fetchBytesPerPartition: FETCH_BYTES,
      }),
  );
}
