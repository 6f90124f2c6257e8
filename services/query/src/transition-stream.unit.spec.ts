import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ManualScheduler } from '@vigil/http/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildQueryApp } from './build-app.ts';
import { queryConfig } from './config.ts';
import { API_KEY, T0, createHarness, seedAgent, seedTransition, type Harness } from '../../../test/support/service-harness.ts';

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

function open(headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/transitions/stream', headers: { authorization: `Bearer ${API_KEY}`, ...headers } }, (res) => {
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
            const timer = setTimeout(() => fail(new Error(`no ${JSON.stringify(fragment)} in ${JSON.stringify(text)}`)), 2000);
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

  it('requires a key', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/transitions/stream' });
    expect(res.statusCode).toBe(401);
  });
});
