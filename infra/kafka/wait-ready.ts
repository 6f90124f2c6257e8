/**
 * Waits until the broker at argv[2] answers metadata requests (kafkajs admin `listTopics`), or gives up after argv[3]
 * milliseconds. Used by kafka-up.sh: a TCP port that accepts connections is not yet a broker that serves requests
 * (KRaft elects its controller and registers the broker after the listener is bound).
 * Exit 0 when ready, 1 on timeout (the last error on stderr).
 */
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.argv[2] ?? '127.0.0.1:9092').split(',');
const deadline = Date.now() + Number(process.argv[3] ?? 60_000);

/** One bounded attempt: connect, list topics, disconnect. */
async function probe(): Promise<void> {
  const admin = new Kafka({
    clientId: 'vigil-kafka-up',
    brokers,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    // Retries are this loop's job, so each attempt fails fast and the deadline stays honest.
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

let lastError: unknown;
while (Date.now() < deadline) {
  try {
    await probe();
    process.exit(0);
  } catch (err) {
    lastError = err;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
console.error(`kafka not ready at ${brokers.join(',')}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
process.exit(1);
