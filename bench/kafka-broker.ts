/**
 * What the Kafka benchmark needs from the broker besides producing and consuming: a fail-fast reachability check, the
 * broker's version, and "has this group committed up to the end of the topic yet".
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';

const KAFKA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'infra', 'kafka');

/** Resolves whether a broker answers a metadata request at `brokers` within `timeoutMs` (no retries). */
export async function brokerAnswers(brokers: readonly string[], timeoutMs: number): Promise<boolean> {
  const admin = new Kafka({ clientId: 'vigil-bench-probe', brokers: [...brokers], connectionTimeout: timeoutMs, requestTimeout: timeoutMs, retry: { retries: 0 }, logLevel: logLevel.NOTHING }).admin();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = (async () => {
    await admin.connect();
    await admin.describeCluster();
    return true;
  })().catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The version of the broker infra/kafka runs: Kafka's protocol does not report a broker's version, so it is read from
 * the running infra broker's class path (`.cache/lib/<version>/`), or else from the pom the scripts start.
 */
export function infraKafkaVersion(): { version: string; source: 'running infra broker' | 'infra/kafka/pom.xml' } {
  try {
    const pid = readFileSync(join(KAFKA_DIR, '.run', 'kafka.pid'), 'utf8').trim();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const match = /\.cache\/lib\/([^/\s\0]+)\//.exec(cmdline);
    if (match?.[1] !== undefined && cmdline.includes('kafka.Kafka')) return { version: match[1], source: 'running infra broker' };
  } catch {
    // No infra broker running here (KAFKA_BROKERS points elsewhere): fall back to the pom.
  }
  const pom = readFileSync(join(KAFKA_DIR, 'pom.xml'), 'utf8');
  return { version: /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1] ?? 'unknown', source: 'infra/kafka/pom.xml' };
}

/** Polls the group's committed offsets until every partition's reaches `ends[partition]`; resolves with the time it did. */
export async function awaitCommitted(admin: Admin, groupId: string, topic: string, ends: readonly number[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const done = (committed?.partitions ?? []).filter((p) => Number(p.offset) >= (ends[p.partition] ?? 0)).length;
    if (done === ends.length) return performance.now();
    if (Date.now() > deadline) throw new Error(`group ${groupId} committed only ${done}/${ends.length} partitions of ${topic} to the end within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** End offsets (high watermarks) of every partition of a topic, by partition. */
export async function endOffsets(admin: Admin, topic: string): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const ends: number[] = [];
  for (const o of offsets) ends[o.partition] = Number(o.high);
  return ends;
}
