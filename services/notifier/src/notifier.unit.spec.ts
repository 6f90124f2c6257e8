import type { DetectorOutputEvent, StatusTransitionedEvent, WebhookEventName, WebhookFormat } from '@vigil/contracts';
import type { LogRecord, RecordBatch } from '@vigil/log';
import { ManualScheduler } from '@vigil/http/testing';
import { SqliteWebhookStore, type WebhookRecord } from '@vigil/webhooks';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFIER_CONFIG, type NotifierConfig } from './config.ts';
import type { OutgoingRequest, SendResult } from './http-sender.ts';
import { NotifierService } from './notifier-service.ts';

const TOPIC = 'vigil.status-transitions';
const T0 = Date.UTC(2026, 0, 1, 12);
const iso = (ms: number): string => new Date(ms).toISOString();

let seq = 0;
function transition(agentId: string, from: StatusTransitionedEvent['data']['from'], to: StatusTransitionedEvent['data']['to'], at: number, tenant = 'acme'): StatusTransitionedEvent {
  return {
    type: 'status-transitioned',
    version: 1,
    id: `tr-${agentId}-${seq++}`,
    tenant,
    agentId,
    time: iso(at),
    data: { from, to, at: iso(at), detectedAt: iso(at), reason: `went ${to}`, lastHeartbeatAt: iso(at - 90_000) },
  };
}

/** A manual world: the clock, a receiver script, and the notifier under test on an in-memory webhook store. */
class World {
  now = T0;
  readonly requests: OutgoingRequest[] = [];
  readonly times: number[] = [];
  script: (n: number, r: OutgoingRequest) => SendResult = () => ({ kind: 'answer', status: 200, retryAfter: null, excerpt: 'ok' });
  readonly store = new SqliteWebhookStore({ path: ':memory:' });
  readonly scheduler = new ManualScheduler();
  readonly config: NotifierConfig;
  readonly notifier: NotifierService;
  private offset = 0;
  private groups = 0;

  constructor(overrides: Partial<NotifierConfig> = {}) {
    this.config = { ...DEFAULT_NOTIFIER_CONFIG, allowPrivate: true, ...overrides };
    this.notifier = new NotifierService(
      {
        log: undefined as never,
        topics: { agentEvents: 'vigil.agent-events', statusTransitions: TOPIC },
        store: this.store,
        logger: pino({ level: 'silent' }),
        now: () => this.now,
        scheduler: this.scheduler,
        random: () => 0.5, // jitter factor exactly 1
        newId: () => `grp_${++this.groups}`,
        send: async (r) => {
          this.requests.push(r);
          this.times.push(this.now);
          return this.script(this.requests.length, r);
        },
      },
      this.config,
      'vigil.notifier',
    );
  }

  webhook(id: string, options: { format?: WebhookFormat; events?: WebhookEventName[]; tenant?: string; routingKey?: string } = {}): WebhookRecord {
    const record: WebhookRecord = {
      id,
      tenant: options.tenant ?? 'acme',
      url: `http://127.0.0.1:9/${id}`,
      format: options.format ?? 'json',
      events: options.events ?? ['degraded', 'unreachable', 'stalled', 'flapping'],
      routingKey: options.routingKey ?? null,
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      createdAt: T0 - 60_000,
    };
    this.store.createWebhook(record);
    return record;
  }

  batch(events: DetectorOutputEvent[], partition = 0): RecordBatch {
    const records: LogRecord[] = events.map((e) => ({ topic: TOPIC, partition, offset: this.offset++, key: `${e.tenant}/${e.agentId}`, value: JSON.stringify(e), timestamp: this.now }));
    return { topic: TOPIC, partition, records };
  }

  async takeIn(events: DetectorOutputEvent[]): Promise<RecordBatch> {
    const b = this.batch(events);
    await this.notifier.handleBatch(b);
    return b;
  }

  /** Advances the clock and runs a round of the loop (no timers, no sleeps). */
  async at(ms: number): Promise<void> {
    this.now = ms;
    await this.notifier.runOnce();
  }

  bodies(): { type: string; data: Record<string, unknown> }[] {
    return this.requests.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
  }
}

let world: World;
beforeEach(() => {
  world = new World();
});
afterEach(async () => {
  await world.store.close();
});

describe('notifier: which transitions notify', () => {
  it('given a webhook, when an agent goes degraded, then after the grouping wait one signed json delivery carries the transition, its labels and a dashboard link', async () => {
    world.webhook('wh1');
    await world.takeIn([
      { type: 'agent-registered', version: 1, id: 'reg1', tenant: 'acme', agentId: 'a1', time: iso(T0 - 100_000), data: { instanceId: 'i1', intervalSeconds: 30, labels: { team: 'search' } } },
      transition('a1', 'healthy', 'degraded', T0),
    ]);
    await world.at(T0 + 1_999);
    expect(world.requests).toHaveLength(0); // held for grouping
    await world.at(T0 + 2_000);
    expect(world.requests).toHaveLength(1);
    const [request] = world.requests;
    const body = world.bodies()[0]!;
    expect(body.type).toBe('agent.degraded');
    expect(body.data).toMatchObject({ tenant: 'acme', agentId: 'a1', from: 'healthy', status: 'degraded', labels: { team: 'search' }, dashboardUrl: 'http://127.0.0.1:8080/dashboard#agent=a1' });
    expect((body.data['transition'] as { id: string }).id).toBe(request!.headers['vigil-event']);
    const verified = new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    // The library checks the timestamp against its own clock: sign-time is the injected clock, so verify the shape
    // here and the signature in the end-to-end test against the wall clock; this recomputes it with the library.
    const signed = verified.sign(request!.headers['webhook-id']!, new Date(Number(request!.headers['webhook-timestamp']) * 1000), request!.body);
    expect(request!.headers['webhook-signature']).toBe(signed);
    expect(request!.headers['webhook-id']).toMatch(/^msg_/);
  });

  it('never notifies for killed, stopped, a first unknown → healthy, or healthy again after killed/stopped', async () => {
    world.webhook('wh1', { events: ['degraded', 'unreachable', 'stalled', 'flapping', 'recovered'] });
    await world.takeIn([
      transition('a1', 'unknown', 'healthy', T0),
      transition('a1', 'healthy', 'killed', T0),
      transition('a1', 'killed', 'healthy', T0),
      transition('a2', 'healthy', 'stopped', T0),
      transition('a2', 'stopped', 'healthy', T0),
    ]);
    await world.at(T0 + 60_000);
    expect(world.requests).toHaveLength(0);
    expect(world.store.queueDepth()).toBe(0);
  });

  it('tells recoveries only to webhooks that asked, and resolves in PagerDuty whatever was asked', async () => {
    world.webhook('asked', { events: ['unreachable', 'recovered'] });
    world.webhook('silent', { events: ['unreachable'] });
    world.webhook('pd', { format: 'pagerduty', events: ['unreachable'], routingKey: 'R0UT1NG' });
    await world.takeIn([transition('a1', 'degraded', 'unreachable', T0)]);
    await world.at(T0 + 2_000);
    expect(world.requests).toHaveLength(3);
    await world.takeIn([transition('a1', 'unreachable', 'healthy', T0 + 10_000)]);
    await world.at(T0 + 10_000);
    const after = world.requests.slice(3);
    expect(after.map((r) => r.url.split('/').at(-1)).sort()).toEqual(['asked', 'pd']);
    const pd = after.find((r) => r.url.endsWith('/pd'))!;
    expect(JSON.parse(pd.body)).toEqual({ routing_key: 'R0UT1NG', event_action: 'resolve', dedup_key: 'vigil:acme:a1' });
    const trigger = JSON.parse(world.requests.find((r) => r.url.endsWith('/pd'))!.body) as Record<string, unknown>;
    expect(trigger).toMatchObject({ routing_key: 'R0UT1NG', event_action: 'trigger', dedup_key: 'vigil:acme:a1', payload: { severity: 'critical', source: 'a1' } });
  });

  it('resolves a PagerDuty incident of an agent killed while failing, and tells nobody else', async () => {
    world.webhook('json', { events: ['unreachable', 'recovered'] });
    world.webhook('pd', { format: 'pagerduty', events: ['unreachable'], routingKey: 'R' });
    await world.takeIn([transition('a1', 'degraded', 'unreachable', T0)]);
    await world.at(T0 + 2_000);
    await world.takeIn([transition('a1', 'unreachable', 'killed', T0 + 5_000)]);
    await world.at(T0 + 5_000);
    const after = world.requests.slice(2);
    expect(after.map((r) => [r.url.split('/').at(-1), JSON.parse(r.body).event_action])).toEqual([['pd', 'resolve']]);
  });

  it('tells nobody of a failure that recovers (or is killed) within the group wait', async () => {
    world.webhook('wh1', { events: ['degraded', 'recovered'] });
    world.webhook('pd', { format: 'pagerduty', events: ['degraded'], routingKey: 'R' });
    await world.takeIn([transition('a1', 'healthy', 'degraded', T0), transition('a2', 'healthy', 'degraded', T0)]);
    await world.takeIn([transition('a1', 'degraded', 'healthy', T0 + 1_000), transition('a2', 'degraded', 'killed', T0 + 1_000)]);
    await world.at(T0 + 10_000);
    expect(world.requests).toHaveLength(0);
    expect(world.store.queueDepth()).toBe(0);
  });

  it('notifies the flapping flag once when it is set and once when it clears', async () => {
    world.webhook('wh1', { events: ['flapping', 'recovered'] });
    const restarted = (n: number, flapping: boolean): DetectorOutputEvent => ({
      type: 'agent-restarted',
      version: 1,
      id: `rs${n}`,
      tenant: 'acme',
      agentId: 'a1',
      time: iso(T0 + n),
      data: { previousInstanceId: `i${n - 1}`, instanceId: `i${n}`, restarts: n, recentRestarts: Math.min(n, 4), flapping },
    });
    await world.takeIn([restarted(3, false), restarted(4, true), restarted(5, true)]);
    await world.takeIn([{ type: 'agent-flapping-cleared', version: 1, id: 'fc', tenant: 'acme', agentId: 'a1', time: iso(T0 + 600_000), data: { recentRestarts: 0 } }]);
    await world.at(T0 + 600_000);
    expect(world.bodies().map((b) => b.type)).toEqual(['agent.flapping', 'agent.flapping-cleared']);
  });

  it('keeps tenants apart: a webhook hears only its own tenant', async () => {
    world.webhook('mine', { tenant: 'acme' });
    world.webhook('theirs', { tenant: 'globex' });
    await world.takeIn([transition('a1', 'healthy', 'degraded', T0, 'globex')]);
    await world.at(T0 + 5_000);
    expect(world.requests.map((r) => r.url.split('/').at(-1))).toEqual(['theirs']);
  });

  it('skips and counts a record that is not a valid event (poison), and still moves past it', async () => {
    world.webhook('wh1');
    const b = world.batch([transition('a1', 'healthy', 'degraded', T0)]);
    const poison = { ...b.records[0]!, offset: b.records[0]!.offset + 1, value: '{"type":"status-transitioned","nope":true}' };
    world.batch([]); // keep offsets in step
    await world.notifier.handleBatch({ ...b, records: [...b.records, poison, { ...poison, offset: poison.offset + 1, value: 'not json' }] });
    expect(world.notifier.stats().poisonEvents).toBe(2);
    await world.at(T0 + 2_000);
    expect(world.requests).toHaveLength(1);
    expect(world.store.transaction((tx) => tx.checkpoint(TOPIC, 0))).toBe(poison.offset + 2);
  });

  it('takes a redelivered batch in once: the checkpoint moves in the same transaction as the deliveries', async () => {
    world.webhook('wh1');
    const b = await world.takeIn([transition('a1', 'healthy', 'degraded', T0), transition('a2', 'healthy', 'degraded', T0)]);
    await world.notifier.handleBatch(b); // the log redelivers what it had not committed
    await world.at(T0 + 2_000);
    expect(world.requests).toHaveLength(2);
  });
});

describe('notifier: grouping', () => {
  it('sends 50 agents failing in one window as one notification listing count, first ids and shared labels', async () => {
    world.webhook('wh1');
    world.webhook('pd', { format: 'pagerduty', routingKey: 'R' });
    const events: DetectorOutputEvent[] = [];
    for (let i = 0; i < 50; i++) {
      events.push({ type: 'agent-registered', version: 1, id: `reg${i}`, tenant: 'acme', agentId: `a${i}`, time: iso(T0 - 100_000), data: { instanceId: 'i', intervalSeconds: 30, labels: { region: 'eu', n: String(i) } } });
      events.push(transition(`a${i}`, 'healthy', i % 2 === 0 ? 'degraded' : 'unreachable', T0 + i * 10));
    }
    await world.takeIn(events);
    await world.at(T0 + 2_000);
    expect(world.requests).toHaveLength(2); // one per webhook
    const json = world.bodies()[world.requests.findIndex((r) => r.url.endsWith('/wh1'))]!;
    expect(json.type).toBe('agents.grouped');
    expect(json.data).toMatchObject({ tenant: 'acme', count: 50, statuses: { degraded: 25, unreachable: 25 }, sharedLabels: { region: 'eu' } });
    expect((json.data['agentIds'] as string[]).slice(0, 3)).toEqual(['a0', 'a1', 'a2']);
    expect(json.data['agentIds']).toHaveLength(20);
    const pd = JSON.parse(world.requests.find((r) => r.url.endsWith('/pd'))!.body) as { dedup_key: string; payload: { severity: string } };
    expect(pd.dedup_key).toBe('vigil:acme:group:grp_1');
    expect(pd.payload.severity).toBe('critical');
  });

  it('sends five failures one by one, and a sixth in the same window starts a group; later ones follow up in that group', async () => {
    world.webhook('wh1');
    await world.takeIn([0, 1, 2, 3, 4].map((i) => transition(`a${i}`, 'healthy', 'degraded', T0)));
    await world.at(T0 + 2_000);
    expect(world.bodies().map((b) => b.type)).toEqual(Array(5).fill('agent.degraded'));
    world.now = T0 + 10_000;
    await world.takeIn([transition('a5', 'healthy', 'degraded', T0 + 10_000)]);
    await world.at(T0 + 12_000);
    world.now = T0 + 20_000;
    await world.takeIn([transition('a6', 'healthy', 'degraded', T0 + 20_000)]);
    await world.at(T0 + 22_000);
    const late = world.bodies().slice(5);
    expect(late.map((b) => [b.type, b.data['groupId']])).toEqual([
      ['agents.grouped', 'grp_1'],
      ['agents.grouped', 'grp_1'],
    ]);
    world.now = T0 + 40_000; // a new window
    await world.takeIn([transition('a7', 'healthy', 'degraded', T0 + 40_000)]);
    await world.at(T0 + 42_000);
    expect(world.bodies().at(-1)!.type).toBe('agent.degraded');
  });

  it('resolves the group once every agent in it is healthy again', async () => {
    world.webhook('pd', { format: 'pagerduty', routingKey: 'R' });
    await world.takeIn([0, 1, 2, 3, 4, 5].map((i) => transition(`a${i}`, 'healthy', 'unreachable', T0)));
    await world.at(T0 + 2_000);
    await world.takeIn([0, 1, 2, 3, 4].map((i) => transition(`a${i}`, 'unreachable', 'healthy', T0 + 5_000)));
    await world.at(T0 + 5_000);
    // Members recover with their group: no resolve per agent (their incidents were never opened), one for the group.
    expect(world.requests.map((r) => JSON.parse(r.body).dedup_key as string)).toEqual(['vigil:acme:group:grp_1']);
    await world.takeIn([transition('a5', 'unreachable', 'healthy', T0 + 6_000)]);
    await world.at(T0 + 6_000);
    expect(JSON.parse(world.requests.at(-1)!.body)).toEqual({ routing_key: 'R', event_action: 'resolve', dedup_key: 'vigil:acme:group:grp_1' });
  });
});

describe('notifier: retries and the dead letter', () => {
  it('gives a receiver that fails twice three attempts, 30 s then 60 s apart (base × 2^(n−1), jitter at its midpoint)', async () => {
    world.webhook('wh1');
    world.script = (n) => (n <= 2 ? { kind: 'answer', status: 503, retryAfter: null, excerpt: 'busy' } : { kind: 'answer', status: 204, retryAfter: null, excerpt: '' });
    await world.takeIn([transition('a1', 'healthy', 'degraded', T0)]);
    for (let t = T0 + 2_000; t <= T0 + 200_000; t += 1_000) await world.at(t);
    expect(world.times.map((t) => t - world.times[0]!)).toEqual([0, 30_000, 90_000]);
    const ids = new Set(world.requests.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1); // one delivery, retried under one id
    const [d] = world.store.listDeliveries('acme', 'wh1', 10, null).items;
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 204 });
  });

  it('retries network errors and timeouts, and dead-letters after 8 attempts spanning about an hour', async () => {
    world.webhook('wh1');
    world.script = (n) => (n % 2 === 0 ? { kind: 'no-answer', error: 'timeout: no answer within 10000 ms' } : { kind: 'no-answer', error: 'network error: fetch failed (ECONNREFUSED)' });
    await world.takeIn([transition('a1', 'healthy', 'degraded', T0)]);
    for (let t = T0 + 2_000; t <= T0 + 2 * 3600_000; t += 10_000) await world.at(t);
    expect(world.requests).toHaveLength(8);
    const span = world.times.at(-1)! - world.times[0]!;
    expect(span).toBeGreaterThanOrEqual(3810_000);
    expect(span).toBeLessThan(3810_000 + 8 * 10_000);
    const [d] = world.store.listDeliveries('acme', 'wh1', 10, null).items;
    expect(d).toMatchObject({ status: 'dead', attempts: 8, lastStatus: null });
    expect(d!.lastError).toContain('gave up after 8 attempts');
  });

  it('honours Retry-After on 429, and dead-letters a 4xx at once with a short excerpt of the answer', async () => {
    world.webhook('wh1');
    world.webhook('wh2');
    world.script = (_n, r) =>
      r.url.endsWith('/wh1')
        ? world.requests.filter((q) => q.url.endsWith('/wh1')).length === 1
          ? { kind: 'answer', status: 429, retryAfter: '120', excerpt: 'slow down' }
          : { kind: 'answer', status: 200, retryAfter: null, excerpt: '' }
        : { kind: 'answer', status: 410, retryAfter: null, excerpt: 'x'.repeat(256) };
    await world.takeIn([transition('a1', 'healthy', 'degraded', T0)]);
    for (let t = T0 + 2_000; t <= T0 + 200_000; t += 1_000) await world.at(t);
    const wh1 = world.times.filter((_, i) => world.requests[i]!.url.endsWith('/wh1'));
    expect(wh1[1]! - wh1[0]!).toBe(120_000);
    const [dead] = world.store.listDeliveries('acme', 'wh2', 10, null).items;
    expect(dead).toMatchObject({ status: 'dead', attempts: 1, lastStatus: 410 });
    expect(dead!.responseExcerpt).toHaveLength(256);
  });

  it('re-sends a dead delivery under the same webhook-id', async () => {
    world.webhook('wh1');
    world.script = (n) => (n === 1 ? { kind: 'answer', status: 400, retryAfter: null, excerpt: '' } : { kind: 'answer', status: 200, retryAfter: null, excerpt: '' });
    await world.takeIn([transition('a1', 'healthy', 'degraded', T0)]);
    await world.at(T0 + 2_000);
    const [dead] = world.store.listDeliveries('acme', 'wh1', 10, null).items;
    expect(dead!.status).toBe('dead');
    world.store.resend('acme', 'wh1', dead!.id, world.now);
    await world.at(world.now + 1);
    expect(world.requests.map((r) => r.headers['webhook-id'])).toEqual([dead!.id, dead!.id]);
    expect(world.store.getDelivery('acme', 'wh1', dead!.id)).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});

describe('notifier: formats', () => {
  it('shapes Slack messages with text, blocks and a colour by severity (green for recoveries)', async () => {
    world.webhook('slack', { format: 'slack', events: ['unreachable', 'degraded', 'recovered'] });
    await world.takeIn([transition('a1', 'degraded', 'unreachable', T0), transition('a2', 'healthy', 'degraded', T0)]);
    await world.at(T0 + 2_000);
    await world.takeIn([transition('a1', 'unreachable', 'healthy', T0 + 3_000)]);
    await world.at(T0 + 3_000);
    const bodies = world.requests.map((r) => JSON.parse(r.body) as { text: string; attachments: { color: string; blocks: unknown[] }[] });
    expect(bodies.map((b) => b.attachments[0]!.color)).toEqual(['#d40e0d', '#f2c744', '#2eb67d']);
    expect(bodies[0]!.text).toBe('Agent a1 (tenant acme) is unreachable: went unreachable');
    expect(bodies[0]!.attachments[0]!.blocks.length).toBeGreaterThanOrEqual(2);
  });
});
