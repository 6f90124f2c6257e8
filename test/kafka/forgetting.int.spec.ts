import { agentStreamName, decodeOutputEvent, topicNames, type AgentForgottenFactEvent, type DetectorOutputEvent } from '@vigil/contracts';
import { DetectorService, defaultDetectorServiceOptions } from '@vigil/detector';
import { InMemoryApiKeyResolver } from '@vigil/http';
import { buildIngestApp, ingestConfig } from '@vigil/ingest';
import type { KafkaLog } from '@vigil/log/kafka';
import { ProjectorService } from '@vigil/projector';
import { buildQueryApp, queryConfig } from '@vigil/query';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../e2e/support/wait-for.ts';
import { kafkaBrokerEnv } from './support/kafka-broker-env.ts';
import { tailTopic, testKafkaLog, testPrefix, type ReadRecord } from './support/kafka-test-clients.ts';

/**
 * Forgetting and retention in distributed mode on a real broker: ingest, detector, projector and query each on its
 * own KafkaLog, as `vigil serve` runs them. DELETE /v1/agents/:id reaches the detector over agent-events, its
 * agent-forgotten fact comes out on status-transitions (in the detector's transaction), the projector drops the agent
 * from the read model and the event store; a detector restarted from its changelog (tombstone) takes a returning
 * agent as new; a tenant retention forgets a silent agent by itself.
 */
const { brokers, skip } = kafkaBrokerEnv('forgetting on Kafka');
const API_KEY = 'forget-kafka-key';
const AUTH = { authorization: `Bearer ${API_KEY}` };
/** Reads every 100 ms for up to 30 s: the services fold within a second or two. */
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };

const forgottenFacts = (records: readonly ReadRecord[]): AgentForgottenFactEvent[] =>
  records.map((r) => decodeOutputEvent(r.value)).filter((e: DetectorOutputEvent): e is AgentForgottenFactEvent => e.type === 'agent-forgotten');

describe.skipIf(skip)('forgetting on Kafka', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => console.warn('close failed', err));
  });

  async function openLog(): Promise<KafkaLog> {
    const log = testKafkaLog(brokers);
    closers.push(() => log.close());
    return log;
  }

  it('forgets on request and by retention, in the read model and the event store, and a restarted detector keeps it forgotten', async () => {
    const prefix = testPrefix();
    const topics = topicNames(prefix);
    const logger = pino({ level: 'warn' });
    const edgeLog = await openLog();
    await edgeLog.ensureTopic(topics.agentEvents, { partitions: 4 });
    await edgeLog.ensureTopic(topics.statusTransitions, { partitions: 4 });

    const readModel = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false });
    closers.push(() => readModel.close());
    const store = new SqliteEventStore({ path: ':memory:' });
    closers.push(() => store.close());
    const detectorOptions = defaultDetectorServiceOptions(prefix, { windowMs: 500, thresholds: { degradedAfterMs: 2000, unreachableAfterMs: 4000 } });
    const startDetector = async (): Promise<DetectorService> => {
      const d = new DetectorService({ log: await openLog(), topics, logger }, detectorOptions);
      closers.push(() => d.stop());
      await d.start();
      return d;
    };
    let detector = await startDetector();
    const projector = new ProjectorService({ log: await openLog(), topics, logger, readModel, store }, { groupPrefix: `${prefix}projector`, streamMaxCount: 1000 });
    closers.push(() => projector.stop());
    await projector.start();

    const apiKeys = new InMemoryApiKeyResolver({ [API_KEY]: 'acme' });
    const ingest: FastifyInstance = buildIngestApp({ log: edgeLog, readModel, topics, apiKeys, logger }, ingestConfig({ tickInterval: '250ms' }));
    closers.push(() => ingest.close());
    await ingest.ready();
    const query: FastifyInstance = buildQueryApp({ log: await openLog(), readModel, store, topics, apiKeys, logger }, queryConfig());
    closers.push(() => query.close());
    await query.ready();
    const outputs = await tailTopic(brokers, topics.statusTransitions);
    closers.push(() => outputs.close());

    let seq = 0;
    const beat = async (...agentIds: string[]): Promise<void> => {
      const res = await ingest.inject({ method: 'POST', url: '/v1/heartbeats', headers: AUTH, payload: { heartbeats: agentIds.map((agentId) => ({ agentId, intervalSeconds: 1, seq: ++seq })) } });
      expect(res.statusCode, res.body).toBe(202);
    };
    const keeper = setInterval(() => void beat('keeper').catch(() => undefined), 300);
    closers.push(async () => clearInterval(keeper));
    await beat('a1', 'a2');
    await waitUntil('a1 and a2 healthy', async () => [await readModel.getAgent('acme', 'a1'), await readModel.getAgent('acme', 'a2')], ([a1, a2]) => a1?.status === 'healthy' && a2 !== null, WAIT);
    await waitUntil('a1 history', () => store.readStream(agentStreamName('acme', 'a1')), (events) => events.length >= 2, WAIT);

    // On request.
    const res = await query.inject({ method: 'DELETE', url: '/v1/agents/a1', headers: AUTH, payload: { reason: 'gone' } });
    expect(res.statusCode, res.body).toBe(202);
    await waitUntil('a1 forgotten in the read model', () => readModel.getAgent('acme', 'a1'), (a1) => a1 === null, WAIT);
    // The outputs are tailed by a consumer of their own, which may see the fact after the projector has folded it.
    await waitUntil('a1 forgotten fact tailed', async () => forgottenFacts(outputs.records), (facts) => facts.length >= 1, WAIT);
    expect(forgottenFacts(outputs.records).map((f) => [f.agentId, f.data.cause, f.data.reason])).toEqual([['a1', 'operator', 'gone']]);
    await waitUntil('a1 stream deleted', () => store.readStream(agentStreamName('acme', 'a1')), (events) => events.length === 0, WAIT);
    expect((await query.inject({ method: 'GET', url: '/v1/agents/a1/history', headers: AUTH })).statusCode).toBe(404);

    // A detector restored from the changelog: a1's tombstone means its next beat is a first sight.
    await detector.stop();
    detector = await startDetector();
    await beat('a1');
    const firstSights = (): number =>
      outputs.records.map((r) => decodeOutputEvent(r.value)).filter((e) => e.type === 'status-transitioned' && e.agentId === 'a1' && e.data.from === 'unknown').length;
    await waitUntil('a1 first transition of its new life', async () => firstSights(), (n) => n === 2, WAIT);
    const again = await waitUntil('a1 back in the read model', () => readModel.getAgent('acme', 'a1'), (a1) => a1 !== null, WAIT);
    expect(again).toMatchObject({ restarts: 0 });
    const life = (await readModel.listTransitions('acme', { agentId: 'a1', limit: 10 })).items.map((t) => `${t.from}->${t.to}`).reverse();
    expect(life[0]).toBe('unknown->healthy'); // only the new life: the old one's transitions went with it
    expect(life.filter((t) => t.startsWith('unknown')).length).toBe(1);

    // By retention: a2 went silent at the start, unreachable after 4 s, forgotten 2 s after that.
    const set = await query.inject({ method: 'PUT', url: '/v1/retention', headers: AUTH, payload: { forgetAfter: '2s' } });
    expect(set.statusCode, set.body).toBe(202);
    await waitUntil('a2 forgotten by retention', () => readModel.getAgent('acme', 'a2'), (a2) => a2 === null, WAIT);
    await waitUntil('a2 forgotten fact tailed', async () => forgottenFacts(outputs.records), (facts) => facts.some((f) => f.agentId === 'a2'), WAIT);
    expect(forgottenFacts(outputs.records).find((f) => f.agentId === 'a2')?.data).toMatchObject({ cause: 'retention', lastStatus: 'unreachable' });
    expect((await readModel.getAgent('acme', 'keeper'))?.status).toBe('healthy');
    expect(detector.stats().forgottenAgents).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
