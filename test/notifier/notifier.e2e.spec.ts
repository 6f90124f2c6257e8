/**
 * The notifier against real receivers: `vigil up` processes deliver to small HTTP servers started by the tests, which
 * verify signatures with the npm `standardwebhooks` library, script failures, die, and count what they acknowledged.
 */
import type { DeliveryView, Page, WebhookCreated } from '@vigil/contracts';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../e2e/support/api-client.ts';
import { Cleanup } from '../e2e/support/cleanup.ts';
import { tempDataDir } from '../e2e/support/temp-dir.ts';
import { runVigilCli } from '../e2e/support/vigil-cli.ts';
import { startVigilUp, type VigilUp } from '../e2e/support/vigil-up.ts';
import { waitUntil } from '../e2e/support/wait-for.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const API_KEY = 'k1-notifier-key';
const SETTLE_MS = 40_000;
/** Fast retries for the tests: 300 ms base (so 300 ms, 600 ms, ... ±20 %), 3 attempts, 2 s timeout. */
const FAST_RETRIES = {
  VIGIL_WEBHOOK_ALLOW_PRIVATE: '1',
  VIGIL_WEBHOOK_BACKOFF_BASE: '300ms',
  VIGIL_WEBHOOK_MAX_ATTEMPTS: '3',
  VIGIL_WEBHOOK_TIMEOUT: '2s',
  VIGIL_NOTIFY_POLL_INTERVAL: '50ms',
};
const FLAGS = ['--api-key', API_KEY, '--degraded-after', '2s', '--unreachable-after', '120s', '--window', '500ms'];

interface Platform {
  readonly up: VigilUp;
  readonly api: ApiClient;
}

async function startPlatform(cleanup: Cleanup, env: Record<string, string>, dataDir?: string): Promise<Platform> {
  const up = await startVigilUp(cleanup, { dataDir: dataDir ?? tempDataDir(cleanup, 'vigil-notifier'), args: FLAGS, env: { ...FAST_RETRIES, ...env } });
  return { up, api: new ApiClient(up.url, API_KEY) };
}

async function addWebhook(api: ApiClient, body: Record<string, unknown>): Promise<WebhookCreated> {
  const res = await api.request<WebhookCreated>('POST', '/v1/webhooks', body);
  if (res.status !== 201) throw new Error(`POST /v1/webhooks: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function removeWebhook(api: ApiClient, id: string): Promise<void> {
  const res = await fetch(`${api.url}/v1/webhooks/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${api.apiKey}` } });
  expect(res.status).toBe(204);
}

function deliveries(api: ApiClient, id: string): Promise<Page<DeliveryView>> {
  return api.get<Page<DeliveryView>>(`/v1/webhooks/${id}/deliveries?limit=500`);
}

/** One beat each for the agents (one batch request), after which they fall silent and go degraded 2 s later. */
async function beatOnce(api: ApiClient, agentIds: readonly string[], labels?: Record<string, string>): Promise<void> {
  await api.post('/v1/heartbeats', { heartbeats: agentIds.map((agentId) => ({ agentId, intervalSeconds: 1, ...(labels ? { labels } : {}) })) });
}

const agentOf = (body: { data: Record<string, unknown> }): unknown => body.data['agentId'];

describe('notifier (embedded): one vigil up, receivers per test', () => {
  const cleanup = new Cleanup();
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform(cleanup, { VIGIL_NOTIFY_GROUP_WAIT: '0' });
  });
  afterAll(async () => {
    await cleanup.run();
  });

  it('delivers a degraded agent to a json webhook with a signature the standardwebhooks library verifies; reports the latency from detectedAt', async () => {
    const receiver = await WebhookReceiver.start(cleanup);
    const hook = await addWebhook(p.api, { url: receiver.url });
    await beatOnce(p.api, ['sig-1'], { team: 'search' });
    const [request] = await waitUntil('a delivery', async () => receiver.requests.filter((r) => r.body.includes('"sig-1"')), (r) => r.length >= 1, { timeoutMs: SETTLE_MS });
    const verified = new Webhook(hook.secret).verify(request!.body, request!.headers) as { type: string; data: Record<string, unknown> };
    expect(verified.type).toBe('agent.degraded');
    expect(verified.data).toMatchObject({ tenant: 'default', agentId: 'sig-1', from: 'healthy', status: 'degraded', labels: { team: 'search' } });
    expect(String(verified.data['dashboardUrl'])).toBe(`${p.up.url}/dashboard#agent=sig-1`);
    expect(request!.headers['vigil-event']).toBe((verified.data['transition'] as { id: string }).id);
    expect(() => new Webhook(hook.secret).verify(request!.body.replace('sig-1', 'sig-2'), request!.headers)).toThrow();
    const latencyMs = request!.at - Date.parse(String(verified.data['detectedAt']));
    console.info(`[notifier latency] detectedAt -> receiver: ${latencyMs} ms (group wait 0, poll 50 ms)`);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    await removeWebhook(p.api, hook.id);
  });

  it('gives a receiver that fails twice then succeeds three attempts under one webhook-id, spaced at least as documented', async () => {
    const receiver = await WebhookReceiver.start(cleanup);
    receiver.answer = (_r, attempt) => (attempt <= 2 ? { status: 503 } : { status: 200 });
    const hook = await addWebhook(p.api, { url: receiver.url });
    await beatOnce(p.api, ['retry-1']);
    const tries = await waitUntil('three attempts', async () => receiver.requests.filter((r) => r.body.includes('"retry-1"')), (r) => r.length >= 3, { timeoutMs: SETTLE_MS });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a fourth attempt would have come by now
    const all = receiver.requests.filter((r) => r.body.includes('"retry-1"'));
    expect(all).toHaveLength(3);
    expect(new Set(all.map((r) => r.headers['webhook-id'])).size).toBe(1);
    // base 300 ms × 2^(n−1) × [0.8, 1.2): at least 240 ms, then at least 480 ms
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(240);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(480);
    const page = await waitUntil('delivered', () => deliveries(p.api, hook.id), (pg) => pg.items.some((d) => d.agentId === 'retry-1' && d.status === 'delivered'), { timeoutMs: SETTLE_MS });
    expect(page.items.find((d) => d.agentId === 'retry-1')).toMatchObject({ attempts: 3, lastStatus: 200 });
    await removeWebhook(p.api, hook.id);
  });

  it('dead-letters a delivery to a dead receiver after the attempts run out, and re-sends it once the receiver is back', async () => {
    const receiver = await WebhookReceiver.start(cleanup);
    let alive = false;
    receiver.answer = () => (alive ? { status: 200 } : { status: 500 });
    const dead = await WebhookReceiver.start(cleanup);
    const deadUrl = dead.url;
    await dead.close(); // nothing listens there any more: connection refused
    const refused = await addWebhook(p.api, { url: deadUrl });
    const failing = await addWebhook(p.api, { url: receiver.url });
    await beatOnce(p.api, ['dead-1']);
    const page = await waitUntil('dead letter', () => deliveries(p.api, refused.id), (pg) => pg.items.some((d) => d.status === 'dead'), { timeoutMs: SETTLE_MS });
    const letter = page.items.find((d) => d.agentId === 'dead-1')!;
    expect(letter).toMatchObject({ status: 'dead', attempts: 3, lastStatus: null });
    expect(letter.lastError).toMatch(/network error.*gave up after 3 attempts/);
    const failed = await waitUntil('dead after 500s', () => deliveries(p.api, failing.id), (pg) => pg.items.some((d) => d.status === 'dead'), { timeoutMs: SETTLE_MS });
    const fivehundred = failed.items.find((d) => d.agentId === 'dead-1')!;
    expect(fivehundred).toMatchObject({ attempts: 3, lastStatus: 500, responseExcerpt: 'nope' });
    alive = true;
    const cli = await runVigilCli(['webhooks', 'resend', failing.id, fivehundred.id, '--url', p.up.url, '--api-key', API_KEY]);
    expect(cli.code, cli.stderr).toBe(0);
    await waitUntil('re-sent and delivered', () => deliveries(p.api, failing.id), (pg) => pg.items.some((d) => d.id === fivehundred.id && d.status === 'delivered'), { timeoutMs: SETTLE_MS });
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([fivehundred.id]));
    await removeWebhook(p.api, refused.id);
    await removeWebhook(p.api, failing.id);
  });

  it('notifies nobody of killed and stopped agents, while a silent agent beside them is notified', async () => {
    const receiver = await WebhookReceiver.start(cleanup);
    const hook = await addWebhook(p.api, { url: receiver.url, events: ['degraded', 'unreachable', 'stalled', 'flapping', 'recovered'] });
    await beatOnce(p.api, ['killed-1', 'stopped-1']);
    // Kill answers 404 until the agent's first beat is in the read model: wait for both, as an operator would see them.
    await waitUntil('both agents listed', async () => [await p.api.agent('killed-1'), await p.api.agent('stopped-1')], ([k, s]) => k !== null && s !== null, { timeoutMs: SETTLE_MS });
    await p.api.post('/v1/agents/killed-1/kill', { reason: 'test' });
    await p.api.post('/v1/agents/stopped-1/goodbye', {});
    await waitUntil('killed and stopped', async () => [await p.api.agent('killed-1'), await p.api.agent('stopped-1')], ([k, s]) => k?.status === 'killed' && s?.status === 'stopped', { timeoutMs: SETTLE_MS });
    await beatOnce(p.api, ['control-1']); // beats after, so its degradation comes after theirs would have
    await waitUntil('the control agent notified', async () => receiver.requests.filter((r) => r.body.includes('"control-1"')), (r) => r.length >= 1, { timeoutMs: SETTLE_MS });
    expect(receiver.bodies().filter((b) => agentOf(b) === 'killed-1' || agentOf(b) === 'stopped-1')).toEqual([]);
    await removeWebhook(p.api, hook.id);
  });

  it('tells a flapping webhook once when an agent starts crash-looping (more than 3 restarts)', async () => {
    const receiver = await WebhookReceiver.start(cleanup);
    const hook = await addWebhook(p.api, { url: receiver.url, events: ['flapping'] });
    for (let i = 0; i < 6; i++) await p.api.heartbeat('flappy-1', { instanceId: `boot-${i}` });
    const [request] = await waitUntil('a flapping notification', async () => receiver.requests, (r) => r.length >= 1, { timeoutMs: SETTLE_MS });
    const body = new Webhook(hook.secret).verify(request!.body, request!.headers) as { type: string; data: Record<string, unknown> };
    expect(body).toMatchObject({ type: 'agent.flapping', data: { agentId: 'flappy-1', restarts: 4 } });
    await waitUntil('the agent flagged', () => p.api.agent('flappy-1'), (a) => a?.flapping === true, { timeoutMs: SETTLE_MS });
    expect(receiver.requests).toHaveLength(1); // the 5th restart, still flapping, is not a second notification
    await removeWebhook(p.api, hook.id);
  });

  it('is driven by vigil webhooks: add prints id and secret, list, test delivers, deliveries, remove', async () => {
    const receiver = await WebhookReceiver.start(cleanup);
    const flags = ['--url', p.up.url, '--api-key', API_KEY];
    const added = await runVigilCli(['webhooks', 'add', receiver.url, '--on', 'unreachable,recovered', '--format', 'slack', '--json', ...flags]);
    expect(added.code, added.stderr).toBe(0);
    const created = JSON.parse(added.stdout) as WebhookCreated;
    expect(created).toMatchObject({ format: 'slack', events: ['unreachable', 'recovered'] });
    expect(created.secret).toMatch(/^whsec_/);
    const list = await runVigilCli(['webhooks', 'list', ...flags]);
    expect(list.stdout).toContain(created.id);
    expect(list.stdout).not.toContain(created.secret);
    const test = await runVigilCli(['webhooks', 'test', created.id, ...flags]);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/delivered: HTTP 200/);
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ text: expect.stringContaining('Test delivery') });
    const listed = await runVigilCli(['webhooks', 'deliveries', created.id, ...flags]);
    expect(listed.stdout).toMatch(/webhook\.test\s+-\s+delivered\s+1\s+200/);
    const bad = await runVigilCli(['webhooks', 'add', 'ftp://example.com/', ...flags]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('VIGIL_ERR_WEBHOOK_URL_REFUSED');
    expect((await runVigilCli(['webhooks', 'remove', created.id, ...flags])).code).toBe(0);
    expect((await runVigilCli(['webhooks', 'remove', created.id, ...flags])).stderr).toContain('VIGIL_ERR_WEBHOOK_NOT_FOUND');
  });

  it('shows delivery counters by outcome and the queue depth on /metrics, without tenant labels', async () => {
    const metrics = await (await fetch(`${p.up.url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_webhook_deliveries_total\{outcome="delivered"\} \d+$/m);
    expect(metrics).toMatch(/^vigil_webhook_deliveries_total\{outcome="dead"\} \d+$/m);
    expect(metrics).toMatch(/^vigil_webhook_queue_depth \d+$/m);
    expect(metrics).not.toMatch(/vigil_webhook_\w+\{[^}]*tenant/);
  });
});

describe('notifier (embedded): grouping', () => {
  const cleanup = new Cleanup();
  afterAll(async () => {
    await cleanup.run();
  });

  it('sends 50 agents failing in one window as one grouped notification', async () => {
    const p = await startPlatform(cleanup, {});
    const receiver = await WebhookReceiver.start(cleanup);
    await addWebhook(p.api, { url: receiver.url });
    const ids = Array.from({ length: 50 }, (_, i) => `fleet-${String(i).padStart(2, '0')}`);
    await beatOnce(p.api, ids, { region: 'eu-west' });
    await waitUntil('a notification', async () => receiver.requests.length, (n) => n >= 1, { timeoutMs: SETTLE_MS });
    await waitUntil('all 50 degraded', () => p.api.summary(), (s) => s.degraded >= 50, { timeoutMs: SETTLE_MS });
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // longer than the 2 s group wait: nothing else comes
    expect(receiver.bodies().map((b) => b.type)).toEqual(['agents.grouped']);
    expect(receiver.bodies()[0]!.data).toMatchObject({ tenant: 'default', count: 50, statuses: { degraded: 50 }, sharedLabels: { region: 'eu-west' } });
  });
});

describe('notifier (embedded): crash', () => {
  const cleanup = new Cleanup();
  afterAll(async () => {
    await cleanup.run();
  });

  it('SIGKILLed mid-burst and restarted, delivers every notification and none twice that the receiver acknowledged', async () => {
    const dataDir = tempDataDir(cleanup, 'vigil-notifier-crash');
    // No grouping (each failure its own notification), two deliveries at a time, slow answers: a burst in flight.
    const env = { VIGIL_NOTIFY_GROUP_THRESHOLD: '1000', VIGIL_WEBHOOK_CONCURRENCY: '2', VIGIL_WEBHOOK_MAX_ATTEMPTS: '8' };
    let p = await startPlatform(cleanup, env, dataDir);
    const receiver = await WebhookReceiver.start(cleanup);
    let holding = false;
    receiver.answer = () => (holding ? 'hold' : { status: 200, delayMs: 100 });
    await addWebhook(p.api, { url: receiver.url });
    const ids = Array.from({ length: 40 }, (_, i) => `burst-${String(i).padStart(2, '0')}`);
    await beatOnce(p.api, ids);
    await waitUntil('some acknowledged', async () => receiver.acknowledged().size, (n) => n >= 8, { timeoutMs: SETTLE_MS, intervalMs: 20 });
    // From now on requests hang unanswered; once the answers already given are recorded, what was acknowledged is final.
    holding = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = new Set(receiver.acknowledged().keys());
    expect(before.size).toBeGreaterThanOrEqual(8);
    expect(before.size).toBeLessThan(40);
    p.up.process.signal('SIGKILL');
    await p.up.process.exited;
    receiver.dropHeld();
    holding = false;
    const requestsBeforeRestart = receiver.requests.length;
    p = await startPlatform(cleanup, env, dataDir);
    const acked = await waitUntil(
      'all 40 acknowledged',
      async () => receiver.acknowledged(),
      (a) => new Set([...a.values()].flat().map((r) => (JSON.parse(r.body) as { data: { agentId: string } }).data.agentId)).size >= 40,
      { timeoutMs: 60_000 },
    );
    const after = receiver.requests.slice(requestsBeforeRestart).map((r) => r.headers['webhook-id']);
    expect(after.filter((id) => before.has(id!))).toEqual([]); // nothing acknowledged was sent again
    expect([...acked.values()].every((list) => list.length === 1)).toBe(true); // each acknowledged exactly once
    expect(acked.size).toBe(40);
  });
});
