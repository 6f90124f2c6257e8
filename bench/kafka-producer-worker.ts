/**
 * The producing side of a Kafka benchmark run, in a worker thread: in production the producer (ingest) and the consumer
 * (detector) are separate processes, so in the benchmark they must not share one event loop either. Builds the fleet
 * from its options (deterministic) and produces it in `batch`-record sends; the main thread times it by its messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KafkaLog } from '@vigil/log/kafka';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { makeFleet, type FleetOptions } from './kafka-fleet.ts';

/** What the worker is asked to produce, and with which client. */
export interface ProducerJob {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly fleet: FleetOptions;
  readonly batch: number;
  /** `kafkalog`: the ingest path (`KafkaLog.append`); `kafkajs`: a plain kafkajs producer with the same settings. */
  readonly client: 'kafkalog' | 'kafkajs';
}

/** What the worker posts: `started` just before its first send, `done` after its last was acknowledged. */
export type ProducerMessage = { readonly type: 'started' } | { readonly type: 'done'; readonly records: number; readonly heartbeats: number; readonly ticks: number };

const post = (message: ProducerMessage): void => parentPort?.postMessage(message);

async function produce(job: ProducerJob): Promise<void> {
  const { records, heartbeats, ticks } = makeFleet(job.fleet);
  let send: (chunk: typeof records) => Promise<unknown>;
  let close: () => Promise<void>;
  if (job.client === 'kafkalog') {
    const log = new KafkaLog({ brokers: [...job.brokers], clientId: 'vigil-bench-ingest' });
    send = (chunk) => log.append(job.topic, chunk);
    close = () => log.close();
  } else {
    // The adapter's producer settings: idempotent, one request in flight, acks from all replicas, murmur2 partitioner.
    const kafka = new Kafka({ clientId: 'vigil-bench-baseline-producer', brokers: [...job.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    send = (chunk) => producer.send({ topic: job.topic, acks: -1, messages: [...chunk] });
    close = () => producer.disconnect();
  }
  try {
    post({ type: 'started' });
    for (let i = 0; i < records.length; i += job.batch) await send(records.slice(i, i + job.batch));
    post({ type: 'done', records: records.length, heartbeats, ticks });
  } finally {
    await close();
  }
}

await produce(workerData as ProducerJob);
