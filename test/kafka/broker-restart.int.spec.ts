import { decodeAgentEvent, topicNames } from '@vigil/contracts';
import { InMemoryApiKeyResolver } from '@vigil/http';
import { buildIngestApp, ingestConfig } from '@vigil/ingest';
import { SqliteReadModel } from '@vigil/store';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaBrokerEnv } from './support/kafka-broker-env.ts';
import { tailTopic, testKafkaLog, testPrefix } from './support/kafka-test-clients.ts';
import { ownBroker, type OwnBroker } from './support/own-broker.ts';

/**
 * Ingest while its broker goes away and comes back. The test runs a broker of its own (infra/kafka on free ports and
 * its own data dir), so stopping it leaves the shared broker of the other Kafka tests alone. While the broker is down
 * `POST /v1/heartbeats` answers 503 with `Retry-After` within a bounded time (the KafkaLog's retries are short); once
 * it is back, beats are accepted again; and every beat that got a 202 is on the topic: nothing acknowledged is lost.
 */
const SUITE = 'ingest across a broker restart';
const { skip } = kafkaBrokerEnv(SUITE);

const API_KEY = 'restart-test-key';
const AUTH = { authorization: `Bearer ${API_KEY}` };
/** The longest a 503 may take: kafkajs's attempts (3, 100 ms backoff doubling) plus connection timeouts. */
const MAX_503_MS = 10_000;
const agentIdOf = (value: string): string => {
  const event = decodeAgentEvent(value);
  return event.type === 'tick' ? '' : (event.agentId ?? '');
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)(SUITE, () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => console.warn('close failed', err));
  });

  it('answers 503 with Retry-After while the broker is down, accepts again after it restarts, and loses no acknowledged beat', { timeout: 240_000 }, async () => {
    const broker: OwnBroker = await ownBroker();
    closers.push(() => broker.destroy());
    await broker.up();
    const topics = topicNames(testPrefix());
    // Short produce retries: a request must get its 503 in seconds, not after kafkajs's default ~30 s of retrying.
    const log = testKafkaLog(broker.address, {
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 3_000,
      retry: { retries: 2, initialRetryTimeMs: 100, maxRetryTimeMs: 1_000 },
      readyTimeoutMs: 1_000,
    });
    closers.push(() => log.close());
    await log.ensureTopic(topics.agentEvents, { partitions: 4 });
    await log.ensureTopic(topics.statusTransitions, { partitions: 4 });
    const readModel = new SqliteReadModel({ path: ':memory:' });
    closers.push(() => readModel.close());
    const app = buildIngestApp(
      { log, readModel, topics, apiKeys: new InMemoryApiKeyResolver({ [API_KEY]: 'acme' }), logger: pino({ level: 'silent' }) },
      ingestConfig({ retryAfter: '2s' }),
    );
    closers.push(() => app.close());
    await app.ready();

    const accepted: string[] = [];
    let sent = 0;
    const post = async (): Promise<{ status: number; retryAfter: string | undefined; ms: number; body: string }> => {
      const agentId = `beat-${sent++}`;
      const started = performance.now();
      const res = await app.inject({ method: 'POST', url: '/v1/heartbeats', headers: AUTH, payload: { agentId, intervalSeconds: 1 } });
      if (res.statusCode === 202) accepted.push(agentId);
      const retryAfter = res.headers['retry-after'];
      return { status: res.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, ms: performance.now() - started, body: res.body };
    };

    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(202);

    await broker.down();
    const whileDown = [];
    for (let i = 0; i < 3; i++) whileDown.push(await post());
    for (const r of whileDown) {
      expect(r.status, r.body).toBe(503);
      expect(r.retryAfter).toBe('2');
      expect(r.ms).toBeLessThan(MAX_503_MS);
    }
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);

    await broker.up();
    const restarted = performance.now();
    let unavailableAfterRestart = 0;
    for (;;) {
      const r = await post();
      if (r.status === 202) break;
      expect(r.status, r.body).toBe(503);
      unavailableAfterRestart++;
      if (performance.now() - restarted > 60_000) throw new Error(`ingest still answers ${r.status} a minute after the broker restarted`);
      await sleep(500);
    }
    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(202);

    // Every acknowledged beat is on the topic (the ones that got 503 may or may not be: the client retries them).
    const events = await tailTopic(broker.address, topics.agentEvents);
    closers.push(() => events.close());
    const onTopic = (): Set<string> => new Set(events.records.filter((r) => r.key !== null).map((r) => agentIdOf(r.value)));
    await events.until(() => accepted.every((a) => onTopic().has(a)), 20_000, 'every acknowledged beat on the topic').catch((err: unknown) => {
      throw new Error(`${String(err)}; missing: ${accepted.filter((a) => !onTopic().has(a)).join(', ')}`);
    });
    console.log(
      `broker restart: ${accepted.length} of ${sent} beats acknowledged, all on the topic; 503 in ${whileDown.map((r) => Math.round(r.ms)).join('/')} ms while down; ` +
        `${unavailableAfterRestart} more 503 after the restart, accepted again ${((performance.now() - restarted) / 1000).toFixed(1)} s after it`,
    );
    expect(accepted.length).toBe(11);
  });
});
