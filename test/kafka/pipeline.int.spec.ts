import { decodeAgentEvent, decodeOutputEvent, topicNames, type DetectorOutputEvent, type StatusTransitionedEvent } from '@vigil/contracts';
import { DetectorService, defaultDetectorServiceOptions } from '@vigil/detector';
import { InMemoryApiKeyResolver } from '@vigil/http';
import { buildIngestApp, ingestConfig } from '@vigil/ingest';
import type { KafkaLog } from '@vigil/log/kafka';
import { ProjectorService } from '@vigil/projector';
import { SqliteReadModel } from '@vigil/store';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaBrokerEnv } from './support/kafka-broker-env.ts';
import { tailTopic, testKafkaLog, testPrefix, type ReadRecord, type TopicTail } from './support/kafka-test-clients.ts';

/**
 * The whole pipeline on a real broker, each part on its own KafkaLog as separate processes would be: heartbeats in
 * over HTTP (ingest, which also writes the ticks), the detector's transactions out on `<prefix>status-transitions`
 * (read by a plain kafkajs consumer, read_committed, as any downstream consumer would), and the projector's read model.
 */
const { brokers, skip } = kafkaBrokerEnv('pipeline on Kafka');

const DEGRADED_AFTER_MS = 2_000;
const UNREACHABLE_AFTER_MS = 4_000;
const WINDOW_MS = 500;
const API_KEY = 'pipeline-test-key';
const AUTH = { authorization: `Bearer ${API_KEY}` };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function transitionsOf(records: readonly ReadRecord[], agentId: string): StatusTransitionedEvent[] {
  return records
    .map((r) => decodeOutputEvent(r.value))
    .filter((e: DetectorOutputEvent): e is StatusTransitionedEvent => e.type === 'status-transitioned' && e.agentId === agentId);
}

describe.skipIf(skip)('pipeline on Kafka', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    // Reverse order of opening: the HTTP edge and consumers first, then the logs they use.
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => console.warn('close failed', err));
  });

  async function openLog(): Promise<KafkaLog> {
    const log = testKafkaLog(brokers);
    closers.push(() => log.close());
    return log;
  }

  it('heartbeats over HTTP come out as transitions on the status-transitions topic, at the exact threshold crossings', async () => {
    const prefix = testPrefix();
    const topics = topicNames(prefix);
    const logger = pino({ level: 'warn' });
    const ingestLog = await openLog();
    await ingestLog.ensureTopic(topics.agentEvents, { partitions: 4 });
    await ingestLog.ensureTopic(topics.statusTransitions, { partitions: 4 });

    const readModel = new SqliteReadModel({ path: ':memory:' });
    closers.push(() => readModel.close());
    const detector = new DetectorService(
      { log: await openLog(), topics, logger },
      defaultDetectorServiceOptions(prefix, { windowMs: WINDOW_MS, thresholds: { degradedAfterMs: DEGRADED_AFTER_MS, unreachableAfterMs: UNREACHABLE_AFTER_MS } }),
    );
    closers.push(() => detector.stop());
    const projector = new ProjectorService({ log: await openLog(), topics, logger, readModel }, { groupPrefix: `${prefix}projector`, streamMaxCount: 1000 });
    closers.push(() => projector.stop());
    await Promise.all([detector.start(), projector.start()]);

    const app: FastifyInstance = buildIngestApp(
      { log: ingestLog, readModel, topics, apiKeys: new InMemoryApiKeyResolver({ [API_KEY]: 'acme' }), logger },
      ingestConfig({ tickInterval: '250ms' }),
    );
    closers.push(() => app.close());
    await app.ready(); // starts the tick writer: the detector's only clock
    const transitions: TopicTail = await tailTopic(brokers, topics.statusTransitions);
    closers.push(() => transitions.close());
    const events: TopicTail = await tailTopic(brokers, topics.agentEvents);
    closers.push(() => events.close());

    // `quiet` beats three times and goes silent; `steady` (a batch of two agents' beats) keeps beating throughout.
    const beat = async (body: object): Promise<void> => {
      const res = await app.inject({ method: 'POST', url: '/v1/heartbeats', headers: AUTH, payload: body });
      expect(res.statusCode, res.body).toBe(202);
    };
    for (let i = 0; i < 3; i++) {
      await beat({ heartbeats: [{ agentId: 'quiet', intervalSeconds: 1, seq: i }, { agentId: 'steady', intervalSeconds: 1, seq: i }] });
      await sleep(200);
    }
    const silentSince = Date.now();
    let seq = 3;
    const steady = setInterval(() => void beat({ agentId: 'steady', intervalSeconds: 1, seq: seq++ }).catch(() => undefined), 300);
    try {
      await transitions.until((rs) => transitionsOf(rs, 'quiet').some((t) => t.data.to === 'unreachable'), 20_000, 'quiet to become unreachable');
    } finally {
      clearInterval(steady);
    }
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(UNREACHABLE_AFTER_MS - 200);

    // The event time of the last beat is its receivedAt, as ingest wrote it to the log.
    const quietBeats = events.records.map((r) => decodeAgentEvent(r.value)).filter((e) => e.type === 'heartbeat' && e.agentId === 'quiet');
    expect(quietBeats).toHaveLength(3);
    const lastBeat = Math.max(...quietBeats.map((e) => Date.parse(e.type === 'heartbeat' ? e.data.receivedAt : e.time)));
    const firstBeat = Math.min(...quietBeats.map((e) => Date.parse(e.time)));

    const quiet = transitionsOf(transitions.records, 'quiet');
    expect(quiet.map((t) => `${t.data.from}->${t.data.to}`)).toEqual(['unknown->healthy', 'healthy->degraded', 'degraded->unreachable']);
    const [healthy, degraded, unreachable] = quiet as [StatusTransitionedEvent, StatusTransitionedEvent, StatusTransitionedEvent];
    expect(Date.parse(healthy.data.at)).toBe(firstBeat);
    expect(Date.parse(degraded.data.at)).toBe(lastBeat + DEGRADED_AFTER_MS);
    expect(Date.parse(unreachable.data.at)).toBe(lastBeat + UNREACHABLE_AFTER_MS);
    for (const t of [degraded, unreachable]) {
      expect(t.data.lastHeartbeatAt).toBe(new Date(lastBeat).toISOString());
      // Reported by the close of the window the crossing fell in: at most one window late.
      const lateness = Date.parse(t.data.detectedAt) - Date.parse(t.data.at);
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThanOrEqual(WINDOW_MS);
    }
    // Keyed by agent, so each agent's transitions are in order on one partition.
    const quietKeys = new Set(transitions.records.filter((r) => decodeOutputEvent(r.value).agentId === 'quiet').map((r) => `${r.key}@${r.partition}`));
    expect(quietKeys.size).toBe(1);
    expect([...quietKeys][0]).toMatch(/^acme\/quiet@/);
    expect(transitionsOf(transitions.records, 'steady').map((t) => t.data.to)).toEqual(['healthy']);

    // The projector folded the same transitions into the read model.
    const deadline = Date.now() + 10_000;
    while ((await readModel.getAgent('acme', 'quiet'))?.status !== 'unreachable' && Date.now() < deadline) await sleep(100);
    expect((await readModel.getAgent('acme', 'quiet'))?.status).toBe('unreachable');
    expect((await readModel.getAgent('acme', 'steady'))?.status).toBe('healthy');
  });
});
