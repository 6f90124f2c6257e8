/**
 * The notifier in distributed mode on the real broker: `vigil serve ingest`, `detector`, `query` and `notifier` as
 * separate processes on Kafka, webhooks created through query into the shared webhook store, and the notifier
 * SIGKILLed mid-burst and restarted: every notification arrives, none twice that the receiver acknowledged.
 */
import { join } from 'node:path';
import type { WebhookCreated } from '@vigil/contracts';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../e2e/support/api-client.ts';
import { Cleanup } from '../e2e/support/cleanup.ts';
import { tempDataDir } from '../e2e/support/temp-dir.ts';
import { waitUntil } from '../e2e/support/wait-for.ts';
import { kafkaBrokerEnv } from '../kafka/support/kafka-broker-env.ts';
import { testPrefix } from '../kafka/support/kafka-test-clients.ts';
import { startServe } from './support/serve-process.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const { brokers, skip } = kafkaBrokerEnv('notifier on Kafka');
const API_KEY = 'kafka-notifier-key';

describe.skipIf(skip)('notifier on Kafka (vigil serve notifier)', () => {
  const cleanup = new Cleanup();
  afterAll(async () => {
    await cleanup.run();
  });

  it('delivers a signed notification, and after a SIGKILL mid-burst delivers every one, none twice that was acknowledged', async () => {
    const dir = tempDataDir(cleanup, 'vigil-notifier-kafka');
    const common = { VIGIL_LOG: `kafka:${brokers}`, VIGIL_TOPIC_PREFIX: testPrefix(), VIGIL_PARTITIONS: '2', VIGIL_WINDOW: '500ms' };
    const webhookStore = `sqlite:${join(dir, 'webhooks.db')}`;
    const notifierEnv = {
      ...common,
      VIGIL_WEBHOOK_STORE: webhookStore,
      VIGIL_WEBHOOK_ALLOW_PRIVATE: '1',
      VIGIL_NOTIFY_GROUP_THRESHOLD: '1000',
      VIGIL_WEBHOOK_CONCURRENCY: '2',
      VIGIL_WEBHOOK_BACKOFF_BASE: '300ms',
      VIGIL_NOTIFY_POLL_INTERVAL: '50ms',
      VIGIL_KAFKA_SESSION_TIMEOUT: '6s',
    };
    const ingest = await startServe(cleanup, 'ingest', { ...common, VIGIL_API_KEYS: `${API_KEY}=acme`, VIGIL_QUERY_PROJECTION: '1', VIGIL_READ_MODEL: `sqlite:${join(dir, 'ingest-read.db')}` });
    await startServe(cleanup, 'detector', { ...common, VIGIL_DEGRADED_AFTER: '2s', VIGIL_UNREACHABLE_AFTER: '300s' });
    const query = await startServe(cleanup, 'query', {
      ...common,
      VIGIL_API_KEYS: `${API_KEY}=acme`,
      VIGIL_QUERY_PROJECTION: '1',
      VIGIL_READ_MODEL: `sqlite:${join(dir, 'query-read.db')}`,
      VIGIL_WEBHOOK_STORE: webhookStore,
      VIGIL_WEBHOOK_ALLOW_PRIVATE: '1',
    });
    let notifier = await startServe(cleanup, 'notifier', notifierEnv);

    const receiver = await WebhookReceiver.start(cleanup);
    let holding = false;
    receiver.answer = () => (holding ? 'hold' : { status: 200, delayMs: 100 });
    const api = new ApiClient(query.url, API_KEY);
    const created = await api.request<WebhookCreated>('POST', '/v1/webhooks', { url: receiver.url });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const beats = new ApiClient(ingest.url, API_KEY);

    // A first agent: its delivery verifies with the standardwebhooks library.
    await beats.post('/v1/heartbeats', { agentId: 'k-first', intervalSeconds: 1 });
    const [first] = await waitUntil('first delivery', async () => receiver.requests, (r) => r.length >= 1, { timeoutMs: 90_000 });
    const body = new Webhook(created.body.secret).verify(first!.body, first!.headers) as { type: string; data: { agentId: string; detectedAt: string } };
    expect(body).toMatchObject({ type: 'agent.degraded', data: { agentId: 'k-first' } });
    console.info(`[notifier latency, Kafka] detectedAt -> receiver: ${first!.at - Date.parse(body.data.detectedAt)} ms`);

    // The burst: 30 agents go degraded together; two deliveries at a time, 100 ms each.
    const ids = Array.from({ length: 30 }, (_, i) => `k-burst-${String(i).padStart(2, '0')}`);
    await beats.post('/v1/heartbeats', { heartbeats: ids.map((agentId) => ({ agentId, intervalSeconds: 1 })) });
    const burstAcked = (): Set<string> =>
      new Set(
        [...receiver.acknowledged().values()]
          .flat()
          .map((r) => (JSON.parse(r.body) as { data: { agentId: string } }).data.agentId)
          .filter((a) => a.startsWith('k-burst-')),
      );
    await waitUntil('part of the burst acknowledged', async () => burstAcked().size, (n) => n >= 6, { timeoutMs: 60_000, intervalMs: 20 });
    holding = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = new Set(receiver.acknowledged().keys());
    expect(burstAcked().size).toBeLessThan(30);
    notifier.process.signal('SIGKILL');
    await notifier.process.exited;
    receiver.dropHeld();
    holding = false;
    const requestsBeforeRestart = receiver.requests.length;
    notifier = await startServe(cleanup, 'notifier', notifierEnv);
    await waitUntil('the whole burst acknowledged', async () => burstAcked().size, (n) => n >= 30, { timeoutMs: 90_000 });
    const again = receiver.requests.slice(requestsBeforeRestart).filter((r) => before.has(r.headers['webhook-id']!));
    expect(again).toEqual([]);
    const acked = receiver.acknowledged();
    expect([...acked.values()].every((list) => list.length === 1)).toBe(true);
    expect(acked.size).toBe(31);
    const metrics = await (await fetch(`${notifier.url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_webhook_deliveries_total\{outcome="delivered"\} \d+$/m);
  });
});
