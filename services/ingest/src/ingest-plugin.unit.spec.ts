import type { FastifyInstance } from 'fastify';
import { VigilError, type HeartbeatEvent } from '@vigil/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngestApp } from './build-app.ts';
import { ingestConfig } from './config.ts';
import { AUTH, PARTITIONS, T0, TENANT, createHarness, endOffsets, keyOf, logWith, readAgentEvents, seedAgent, type Harness } from '../../../test/support/service-harness.ts';

let h: Harness;
let app: FastifyInstance;

function build(overrides: Partial<Parameters<typeof buildIngestApp>[0]> = {}, config = ingestConfig({ ticks: false, bodyLimit: '4kb' })) {
  return buildIngestApp(
    { log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, now: h.now, newId: h.newId, metrics: h.metrics, ...overrides },
    config,
  );
}

beforeEach(async () => {
  h = await createHarness();
  app = build();
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await h.close();
});

async function expectNothingAppended(): Promise<void> {
  expect(await endOffsets(h.log, h.topics.agentEvents)).toEqual(Array(PARTITIONS).fill(0));
}

function post(body: unknown, headers: Record<string, string> = AUTH) {
  return app.inject({ method: 'POST', url: '/v1/heartbeats', headers, payload: body as Record<string, unknown> });
}

describe('POST /v1/heartbeats', () => {
  it('appends an accepted beat to the log with receivedAt from the injected clock', async () => {
    h.clock.now = T0 + 1234;
    const res = await post({ agentId: 'worker-1', seq: 7, progress: { completed: 3, inFlight: 1 } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 1, agents: [{ agentId: 'worker-1', killed: false, status: null }] });
    const events = await readAgentEvents(h);
    expect(events).toHaveLength(1);
    const beat = events[0] as HeartbeatEvent & { key: string };
    expect(beat).toMatchObject({
      type: 'heartbeat',
      version: 1,
      id: 'id-1',
      tenant: TENANT,
      agentId: 'worker-1',
      time: '2025-01-01T00:00:01.234Z',
      key: keyOf('worker-1'),
      data: {
        receivedAt: '2025-01-01T00:00:01.234Z',
        sentAt: '2025-01-01T00:00:01.234Z',
        instanceId: 'default',
        intervalSeconds: 30,
        seq: 7,
        progress: { completed: 3, inFlight: 1 },
      },
    });
  });

  it('keeps the agent own sentAt for skew diagnostics but never as event time', async () => {
    await post({ agentId: 'a', sentAt: '2024-12-31T23:59:00Z', instanceId: 'i-2', intervalSeconds: 5 });
    const [beat] = (await readAgentEvents(h)) as HeartbeatEvent[];
    expect(beat?.time).toBe('2025-01-01T00:00:00.000Z');
    expect(beat?.data).toMatchObject({ sentAt: '2024-12-31T23:59:00Z', instanceId: 'i-2', intervalSeconds: 5 });
  });

  it('appends a batch in one go, each beat keyed by its agent', async () => {
    const res = await post({ heartbeats: [{ agentId: 'a' }, { agentId: 'b' }, { agentId: 'a', seq: 1 }] });
    expect(res.statusCode).toBe(202);
    expect(res.json().accepted).toBe(3);
    expect(res.json().agents.map((a: { agentId: string }) => a.agentId)).toEqual(['a', 'b']);
    const events = await readAgentEvents(h);
    expect(events.map((e) => e.key).sort()).toEqual([keyOf('a'), keyOf('a'), keyOf('b')]);
    // One agent's beats stay on one partition, in order.
    const ofA = events.filter((e) => e.key === keyOf('a')) as HeartbeatEvent[];
    expect(new Set(ofA.map((e) => (e as unknown as { partition: number }).partition)).size).toBe(1);
    // A beat that names no seq stays without one, so the detector never takes it for a repeat.
    expect(ofA.map((e) => e.data.seq)).toEqual([undefined, 1]);
  });

  it('tells a killed agent it is killed', async () => {
    await seedAgent(h, 'zombie', 'killed');
    const res = await post({ agentId: 'zombie' });
    expect(res.json().agents).toEqual([{ agentId: 'zombie', killed: true, status: 'killed' }]);
  });

  it('reports the status of a known healthy agent', async () => {
    await seedAgent(h, 'ok-1', 'healthy');
    const res = await post({ agentId: 'ok-1' });
    expect(res.json().agents).toEqual([{ agentId: 'ok-1', killed: false, status: 'healthy' }]);
  });

  it('answers malformed JSON with a 400 JSON error and appends nothing', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/heartbeats',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{"agentId": "a",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VIGIL_ERR_MALFORMED_JSON');
    await expectNothingAppended();
  });

  it('names a missing agentId and appends nothing', async () => {
    const res = await post({ seq: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: 'VIGIL_ERR_VALIDATION', field: 'agentId', message: 'agentId: is required' },
    });
    await expectNothingAppended();
  });

  it('names a field of the wrong type', async () => {
    const res = await post({ agentId: 'a', intervalSeconds: 'thirty' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('intervalSeconds');
    await expectNothingAppended();
  });

  it('names an unknown field', async () => {
    const res = await post({ agentId: 'a', colour: 'red' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('colour');
  });

  it('rejects a whole batch when one item is invalid, naming the item index and field', async () => {
    const res = await post({ heartbeats: [{ agentId: 'a' }, { agentId: 'b' }, { agentId: 'c' }, { agentId: 'bad agent' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('heartbeats.3.agentId');
    await expectNothingAppended();
  });

  it('rejects an empty batch', async () => {
    const res = await post({ heartbeats: [] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('heartbeats');
  });

  it('says what to send when there is no body', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/heartbeats', headers: AUTH });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/request body is required/);
    await expectNothingAppended();
  });

  it('answers a body over the limit with 413 and appends nothing', async () => {
    const res = await post({ heartbeats: Array.from({ length: 200 }, (_, i) => ({ agentId: `agent-${i}` })) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('VIGIL_ERR_BODY_TOO_LARGE');
    expect(res.json().error.message).toContain('4096 bytes');
    await expectNothingAppended();
  });

  it('answers a missing key with 401 naming the Authorization header, and appends nothing', async () => {
    const res = await post({ agentId: 'a' }, {});
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json().error).toMatchObject({ code: 'VIGIL_ERR_UNAUTHORIZED', field: 'authorization' });
    expect(res.json().error.message).toContain('Authorization header');
    await expectNothingAppended();
  });

  it('answers an unknown key with 401 and appends nothing', async () => {
    const res = await post({ agentId: 'a' }, { authorization: 'Bearer nope' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toContain('not known');
    await expectNothingAppended();
  });

  it('answers a non-bearer Authorization header with 401', async () => {
    const res = await post({ agentId: 'a' }, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toContain('Bearer <api key>');
  });

  it('checks the key before reading the body', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/heartbeats', headers: { 'content-type': 'application/json' }, payload: '{oops' });
    expect(res.statusCode).toBe(401);
  });

  it('answers 503 with Retry-After when the log is unavailable', async () => {
    await app.close();
    const unavailable = logWith(h.log, {
      append: async () => {
        throw new VigilError('VIGIL_ERR_LOG_UNAVAILABLE', 'database is locked', { retriable: true, statusCode: 503 });
      },
    });
    app = build({ log: unavailable }, ingestConfig({ ticks: false, retryAfter: '3s' }));
    const res = await post({ agentId: 'a' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.json().error.code).toBe('VIGIL_ERR_UNAVAILABLE');
  });

  it('answers 500 without details when the log fails for good', async () => {
    await app.close();
    app = build({ log: logWith(h.log, { append: async () => Promise.reject(new Error('disk on fire')) }) });
    const res = await post({ agentId: 'a' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('VIGIL_ERR_INTERNAL');
    expect(res.body).not.toContain('disk on fire');
  });

  it('still accepts beats while the read model is unavailable', async () => {
    await app.close();
    const broken = { ...h.readModel, getAgent: async () => Promise.reject(new Error('read model down')) };
    app = build({ readModel: broken });
    const res = await post({ agentId: 'a' });
    expect(res.statusCode).toBe(202);
    expect(res.json().agents).toEqual([{ agentId: 'a', killed: false, status: null }]);
    expect(await readAgentEvents(h)).toHaveLength(1);
  });

  it('counts accepted heartbeats without naming the tenant on the unauthenticated /metrics', async () => {
    await post({ heartbeats: [{ agentId: 'a' }, { agentId: 'b' }] });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('vigil_heartbeats_accepted_total 2');
    expect(metrics.body).not.toContain(TENANT);
    expect(metrics.body).toContain('vigil_http_requests_total{method="POST",route="/v1/heartbeats",status="202"} 1');
  });
});

describe('POST /v1/agents/:id/goodbye', () => {
  it('appends agent-stopped keyed by the agent and answers 202 with the event id', async () => {
    h.clock.now = T0 + 5000;
    const res = await app.inject({ method: 'POST', url: '/v1/agents/worker-1/goodbye', headers: AUTH, payload: { instanceId: 'i-1', reason: 'deploy' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: true, agentId: 'worker-1', event: 'id-1' });
    const [event] = await readAgentEvents(h);
    expect(event).toMatchObject({
      type: 'agent-stopped',
      tenant: TENANT,
      agentId: 'worker-1',
      time: '2025-01-01T00:00:05.000Z',
      key: keyOf('worker-1'),
      data: { instanceId: 'i-1', reason: 'deploy' },
    });
  });

  it('needs no body', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/agents/worker-1/goodbye', headers: AUTH });
    expect(res.statusCode).toBe(202);
    expect(await readAgentEvents(h)).toHaveLength(1);
  });

  it('names an invalid agent id in the path', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/agents/bad%20id/goodbye', headers: AUTH });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('id');
    await expectNothingAppended();
  });
});
