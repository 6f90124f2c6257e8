import { CONTRACT_VERSION, agentKey, decodeOutputEvent, topicNames, type HeartbeatEvent, type StatusTransitionedEvent } from '@vigil/contracts';
import { DetectorService, defaultDetectorServiceOptions } from '@vigil/detector';
import { TickWriter } from '@vigil/ingest';
import { partitionForKey } from '@vigil/log';
import type { KafkaLog } from '@vigil/log/kafka';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaBrokerEnv } from './support/kafka-broker-env.ts';
import { tailTopic, testKafkaLog, testPrefix } from './support/kafka-test-clients.ts';
import { kcat, kcatAvailable } from './support/kcat.ts';

/**
 * The two public topics are an interface for clients that are not Vigil: kcat (librdkafka) produces heartbeat
 * envelopes straight to `agent-events`, with the key `<tenant>/<agentId>`, the murmur2 partitioner Vigil uses and
 * `receivedAt` set by the producer, and consumes what the detector emitted from `status-transitions` (read_committed).
 */
const SUITE = 'kcat as an outside producer and consumer';
const { brokers, skip: noBroker } = kafkaBrokerEnv(SUITE);
const skip = noBroker || !kcatAvailable(SUITE);

const PARTITIONS = 4;
const DEGRADED_AFTER_MS = 2_000;
const UNREACHABLE_AFTER_MS = 4_000;
const WINDOW_MS = 500;
const AGENTS = ['kcat-1', 'kcat-2', 'kcat-3'];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One `key|value` line per heartbeat, as `kcat -P -K '|'` reads them; the producer sets receivedAt (event time). */
function heartbeatLines(seq: number, receivedAt: string): string {
  return AGENTS.map((agentId) => {
    const event: HeartbeatEvent = {
      type: 'heartbeat',
      version: CONTRACT_VERSION,
      id: `kcat-${agentId}-${seq}`,
      time: receivedAt,
      tenant: 'acme',
      agentId,
      data: { instanceId: 'kcat', intervalSeconds: 1, seq, sentAt: receivedAt, receivedAt },
    };
    return `${agentKey('acme', agentId)}|${JSON.stringify(event)}\n`;
  }).join('');
}

/** A record of `kcat -C -J`. */
interface KcatRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly payload: string | null;
}

describe.skipIf(skip)(SUITE, () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => console.warn('close failed', err));
  });

  it('heartbeats produced by kcat are judged by the detector, and kcat reads the transitions it emitted', async () => {
    const prefix = testPrefix();
    const topics = topicNames(prefix);
    const logger = pino({ level: 'warn' });
    const log: KafkaLog = testKafkaLog(brokers);
    closers.push(() => log.close());
    await log.ensureTopic(topics.agentEvents, { partitions: PARTITIONS });
    await log.ensureTopic(topics.statusTransitions, { partitions: PARTITIONS });
    const detector = new DetectorService(
      { log, topics, logger },
      defaultDetectorServiceOptions(prefix, { windowMs: WINDOW_MS, thresholds: { degradedAfterMs: DEGRADED_AFTER_MS, unreachableAfterMs: UNREACHABLE_AFTER_MS } }),
    );
    closers.push(() => detector.stop());
    await detector.start();
    // The platform's clock, as ingest runs it; the beats themselves come only from kcat.
    const ticks = new TickWriter({ log, topic: topics.agentEvents, logger, intervalMs: 250 });
    closers.push(() => ticks.stop());
    ticks.start();

    const produce = (lines: string): Promise<string> => kcat(['-P', '-b', brokers, '-t', topics.agentEvents, '-K', '|', '-X', 'topic.partitioner=murmur2_random'], lines);
    const lastBeat = Date.now() + 400;
    await produce(heartbeatLines(0, new Date(lastBeat - 400).toISOString()));
    await sleep(Math.max(0, lastBeat - Date.now()));
    await produce(heartbeatLines(1, new Date(lastBeat).toISOString()));

    // kcat's murmur2 partitioner puts each agent where Vigil's does, so one agent's events stay in order.
    const events = await tailTopic(brokers, topics.agentEvents);
    closers.push(() => events.close());
    const beats = await events.until((rs) => rs.filter((r) => r.key !== null).length === AGENTS.length * 2, 10_000, 'the beats kcat produced');
    for (const r of beats.filter((b) => b.key !== null)) expect(r.partition, r.key!).toBe(partitionForKey(r.key!, PARTITIONS));

    // kcat as the outside consumer of the transitions, read_committed (the detector writes in transactions).
    const consume = async (): Promise<KcatRecord[]> => {
      const out = await kcat(['-C', '-b', brokers, '-t', topics.statusTransitions, '-o', 'beginning', '-e', '-J', '-X', 'isolation.level=read_committed', '-q']);
      return out
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as KcatRecord);
    };
    const transitionsOf = (records: readonly KcatRecord[], agentId: string): StatusTransitionedEvent[] =>
      records
        .filter((r) => r.payload !== null)
        .map((r) => decodeOutputEvent(r.payload!))
        .filter((e): e is StatusTransitionedEvent => e.type === 'status-transitioned' && e.agentId === agentId);
    let records: KcatRecord[] = [];
    const deadline = Date.now() + 20_000;
    while (!AGENTS.every((a) => transitionsOf(records, a).some((t) => t.data.to === 'unreachable'))) {
      if (Date.now() > deadline) throw new Error(`kcat did not see every agent unreachable within 20 s; it read ${records.length} records`);
      await sleep(300);
      records = await consume();
    }

    for (const agentId of AGENTS) {
      const mine = records.filter((r) => r.payload !== null && decodeOutputEvent(r.payload).agentId === agentId);
      expect(new Set(mine.map((r) => r.key))).toEqual(new Set([agentKey('acme', agentId)]));
      expect(new Set(mine.map((r) => r.partition))).toEqual(new Set([partitionForKey(agentKey('acme', agentId), PARTITIONS)]));
      const transitions = transitionsOf(records, agentId);
      expect(transitions.map((t) => t.data.to)).toEqual(['healthy', 'degraded', 'unreachable']);
      expect(Date.parse(transitions[0]!.data.at)).toBe(lastBeat - 400);
      expect(Date.parse(transitions[1]!.data.at)).toBe(lastBeat + DEGRADED_AFTER_MS);
      expect(Date.parse(transitions[2]!.data.at)).toBe(lastBeat + UNREACHABLE_AFTER_MS);
    }
  });
});
