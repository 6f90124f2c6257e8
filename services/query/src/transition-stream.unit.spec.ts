import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ManualScheduler } from '@vigil/http/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StatusTransitionedEvent } from '@vigil/contracts';
import { SqliteReadModel, type ReadModel } from '@vigil/store';
import Database from 'better-sqlite3';
import { buildQueryApp } from './build-app.ts';
import { queryConfig } from './config.ts';
import { API_KEY, T0, TENANT, createHarness, seedAgent, seedTransition, type Harness } from '../../../test/support/service-harness.ts';

const GLOBEX_KEY = 'test-key-globex';

function transitionEvent(agentId: string, id: string, at: number, tenant = TENANT): StatusTransitionedEvent {
  const time = new Date(at).toISOString();
  return {
    version: 1,
    type: 'status-transitioned',
    id,
    time,
    tenant,
    agentId,
    data: { from: 'healthy', to: 'degraded', at: time, detectedAt: time, reason: 'silent', lastHeartbeatAt: time },
  };
}

/** Ids of the transition frames received, in order. */
function ids(text: string): string[] {
  return [...text.matchAll(/^id: (.*)$/gm)].map((m) => m[1]!);
}

/** The read model with its stream reads counted. */
function counting(readModel: ReadModel): { readModel: ReadModel; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(readModel, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (prop === 'transitionsAfter' || prop === 'listTransitions') reads++;
        return fn.apply(target, args);
      };
    },
  });
  return { readModel: proxy, reads: () => reads };
}

let h: Harness;
let app: FastifyInstance;
let scheduler: ManualScheduler;
let port: number;

beforeEach(async () => {
  h = await createHarness();
  scheduler = new ManualScheduler();
  app = buildQueryApp(
    { log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, now: h.now, newId: h.newId, metrics: h.metrics, scheduler },
    queryConfig({ sseMaxClients: 2 }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});

afterEach(async () => {
  await app.close();
  await h.close();
});

/** An open stream: what arrived so far, and a way to wait for more. */
interface Stream {
  readonly req: ClientRequest;
  readonly res: IncomingMessage;
  text(): string;
  waitFor(fragment: string): Promise<void>;
  ended: Promise<void>;
}

function open(headers: Record<string, string> = {}, on: { port: number; key: string } = { port, key: API_KEY }): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: on.port, path: '/v1/transitions/stream', headers: { authorization: `Bearer ${on.key}`, ...headers } }, (res) => {
      let text = '';
      const waiters: { fragment: string; done: () => void }[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const w of [...waiters]) if (text.includes(w.fragment)) w.done();
      });
      const ended = new Promise<void>((done) => res.on('close', done));
      resolve({
        req,
        res,
        text: () => text,
        ended,
        waitFor: (fragment) =>
          new Promise<void>((done, fail) => {
            if (text.includes(fragment)) return done();
            const timer = setTimeout(() => fail(new Error(`no ${JSON.stringify(fragment)} in ${JSON.stringify(text.slice(-2000))}`)), 10_000);
            waiters.push({ fragment, done: () => (clearTimeout(timer), done()) });
          }),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Lets a poll in flight finish (a firing while one is in flight is skipped by design). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('GET /v1/transitions/stream', () => {
  it('sends new transitions of the tenant as server-sent events, not the history', async () => {
    await seedAgent(h, 'a', 'healthy');
    const stream = await open();
    expect(stream.res.statusCode).toBe(200);
    expect(stream.res.headers['content-type']).toContain('text/event-stream');
    await stream.waitFor(': connected');
    await seedTransition(h, 'a', 'tr-new', T0 + 60_000, 'unreachable');
    await seedTransition(h, 'elsewhere', 'tr-other-tenant', T0 + 60_000, 'unreachable', 'globex');
    scheduler.runAll();
    await stream.waitFor('id: tr-new\nevent: transition\ndata: ');
    const data = /data: (.*)\n/.exec(stream.text().split('id: tr-new')[1] ?? '')?.[1];
    expect(JSON.parse(data ?? 'null')).toMatchObject({ id: 'tr-new', agentId: 'a', to: 'unreachable' });
    expect(stream.text()).not.toContain('tr-a-healthy');
    expect(stream.text()).not.toContain('tr-other-tenant');
    stream.req.destroy();
  });

  it('sends each transition once', async () => {
    const stream = await open();
    await stream.waitFor(': connected');
    await seedTransition(h, 'a', 'tr-1', T0 + 1000);
    scheduler.runAll();
    await stream.waitFor('id: tr-1');
    await settle();
    scheduler.runAll();
    await settle();
    await seedTransition(h, 'a', 'tr-2', T0 + 2000);
    scheduler.runAll();
    await stream.waitFor('id: tr-2');
    expect(stream.text().split('id: tr-1').length).toBe(2);
    stream.req.destroy();
  });

  it('sends a keepalive comment when its timer fires', async () => {
    const stream = await open();
    await stream.waitFor(': connected');
    scheduler.runAll();
    await stream.waitFor(': keepalive\n\n');
    stream.req.destroy();
  });

  it('replays what a reconnecting client missed after its Last-Event-ID', async () => {
    await seedTransition(h, 'a', 'tr-1', T0 + 1000);
    await seedTransition(h, 'a', 'tr-2', T0 + 2000);
    await seedTransition(h, 'a', 'tr-3', T0 + 3000);
    const stream = await open({ 'last-event-id': 'tr-1' });
    await stream.waitFor('id: tr-3');
    const text = stream.text();
    expect(text.indexOf('id: tr-2')).toBeLessThan(text.indexOf('id: tr-3'));
    expect(text).not.toContain('id: tr-1\n');
    stream.req.destroy();
  });

  it('stops polling and forgets the client when it disconnects', async () => {
    const stream = await open();
    await stream.waitFor(': connected');
    const clients = h.metrics.gauge('vigil_sse_clients', '');
    expect(clients.value()).toBe(1);
    expect(scheduler.active).toBe(2);
    stream.req.destroy();
    await until(() => scheduler.active === 0);
    expect(clients.value()).toBe(0);
  });

  it('refuses more streams than configured with 503 and Retry-After', async () => {
    const a = await open();
    const b = await open();
    const res = await app.inject({ method: 'GET', url: '/v1/transitions/stream', headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().error.code).toBe('VIGIL_ERR_TOO_MANY_STREAMS');
    a.req.destroy();
    b.req.destroy();
  });

  it('ends open streams when the app closes', async () => {
    const stream = await open();
    await stream.waitFor(': connected');
    await app.close();
    await stream.ended;
    expect(scheduler.active).toBe(0);
  });

  it('sends a retry hint when it connects', async () => {
    const stream = await open();
    await stream.waitFor(': connected');
    expect(stream.text()).toMatch(/^retry: 1000\n/m);
    stream.req.destroy();
  });

  it('pushes a transition as soon as it is folded, without waiting for a poll', async () => {
    const stream = await open();
    await stream.waitFor(': connected');
    await seedTransition(h, 'a', 'tr-pushed', T0 + 1000);
    // The scheduler never fires in this test: only the read model's signal can have sent it.
    await stream.waitFor('id: tr-pushed');
    stream.req.destroy();
  });

  it('delivers a burst of 5,000 transitions folded in one batch, every one, in order', async () => {
    const stream = await open();
    await stream.waitFor(': connected');
    const burst = Array.from({ length: 5000 }, (_, i) => transitionEvent(`agent-${i}`, `burst-${String(i).padStart(4, '0')}`, T0 + i));
    await h.readModel.apply(burst, { topic: h.topics.statusTransitions, partition: 3, nextOffset: 5000 });
    await stream.waitFor('id: burst-4999\n');
    expect(ids(stream.text())).toEqual(burst.map((t) => t.id));
    stream.req.destroy();
  });

  it('never shows one tenant the transitions of another', async () => {
    const acme = await open();
    const globex = await open({}, { port, key: GLOBEX_KEY });
    await acme.waitFor(': connected');
    await globex.waitFor(': connected');
    await h.readModel.apply(
      [transitionEvent('a', 'acme-1', T0), transitionEvent('g', 'globex-1', T0, 'globex'), transitionEvent('a', 'acme-2', T0 + 1)],
      { topic: h.topics.statusTransitions, partition: 2, nextOffset: 3 },
    );
    await acme.waitFor('id: acme-2');
    await globex.waitFor('id: globex-1');
    await settle();
    expect(ids(acme.text())).toEqual(['acme-1', 'acme-2']);
    expect(ids(globex.text())).toEqual(['globex-1']);
    acme.req.destroy();
    globex.req.destroy();
  });

  it('resumes after a Last-Event-ID further back than any page, then goes on live without a gap or a repeat', async () => {
    const old = Array.from({ length: 2500 }, (_, i) => transitionEvent('a', `old-${String(i).padStart(4, '0')}`, T0 + i));
    await h.readModel.apply(old, { topic: h.topics.statusTransitions, partition: 3, nextOffset: 2500 });
    const stream = await open({ 'last-event-id': 'old-0000' });
    await seedTransition(h, 'a', 'live-1', T0 + 10_000);
    await stream.waitFor('id: live-1');
    expect(ids(stream.text())).toEqual([...old.slice(1).map((t) => t.id), 'live-1']);
    stream.req.destroy();
  });

  it("answers 409 to a Last-Event-ID of another tenant's transition or of one it does not hold", async () => {
    await seedTransition(h, 'g', 'tr-globex', T0, 'degraded', 'globex');
    for (const id of ['tr-globex', 'never-existed']) {
      const res = await app.inject({ method: 'GET', url: '/v1/transitions/stream', headers: { authorization: `Bearer ${API_KEY}`, 'last-event-id': id } });
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'VIGIL_ERR_STREAM_CURSOR_PRUNED', field: 'last-event-id' });
    }
  });

  it('requires a key', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/transitions/stream' });
    expect(res.statusCode).toBe(401);
  });
});

describe('the shared transition feed', () => {
  it('answers 409 once the transition a client resumes from was pruned', async () => {
    const db = new Database(':memory:');
    const readModel = new SqliteReadModel({ database: db });
    const other = buildQueryApp({ log: h.log, readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger }, queryConfig());
    try {
      await readModel.apply([transitionEvent('a', 'kept', T0 + 1), transitionEvent('a', 'pruned', T0)], { topic: 't', partition: 0, nextOffset: 2 });
      db.prepare("DELETE FROM rm_transitions WHERE id = 'pruned'").run();
      const res = await other.inject({ method: 'GET', url: '/v1/transitions/stream', headers: { authorization: `Bearer ${API_KEY}`, 'last-event-id': 'pruned' } });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('VIGIL_ERR_STREAM_CURSOR_PRUNED');
    } finally {
      await other.close();
      await readModel.close();
      db.close();
    }
  });

  it('holds 1,000 clients with one read-model query per new batch, not one per client', async () => {
    const counted = counting(h.readModel);
    const many = buildQueryApp(
      { log: h.log, readModel: counted.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, scheduler: new ManualScheduler() },
      queryConfig({ sseMaxClients: 1000 }),
    );
    await many.listen({ host: '127.0.0.1', port: 0 });
    const manyPort = (many.server.address() as AddressInfo).port;
    const streams: Stream[] = [];
    try {
      for (let i = 0; i < 1000; i += 100) {
        const batch = await Promise.all(Array.from({ length: 100 }, (_, j) => open({}, { port: manyPort, key: (i + j) % 10 === 0 ? GLOBEX_KEY : API_KEY })));
        streams.push(...batch);
      }
      await Promise.all(streams.map((s) => s.waitFor(': connected')));
      const before = counted.reads();
      await h.readModel.apply([transitionEvent('a', 'fan-out-1', T0), transitionEvent('g', 'fan-out-g', T0, 'globex')], { topic: h.topics.statusTransitions, partition: 0, nextOffset: 100 });
      await Promise.all(streams.map((s, i) => s.waitFor(i % 10 === 0 ? 'id: fan-out-g' : 'id: fan-out-1')));
      expect(counted.reads() - before).toBe(1);
      expect(streams.filter((s) => s.text().includes('fan-out-1'))).toHaveLength(900);
      expect(streams.filter((s) => s.text().includes('fan-out-g'))).toHaveLength(100);
    } finally {
      for (const s of streams) s.req.destroy();
      await many.close();
    }
  }, 60_000);
});
