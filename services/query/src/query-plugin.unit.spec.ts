import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildQueryApp } from './build-app.ts';
import { queryConfig } from './config.ts';
import { AUTH, PARTITIONS, T0, TENANT, createHarness, endOffsets, keyOf, logWith, readAgentEvents, seedAgent, seedTransition, type Harness } from '../../../test/support/service-harness.ts';

let h: Harness;
let app: FastifyInstance;

function build(overrides: Partial<Parameters<typeof buildQueryApp>[0]> = {}) {
  return buildQueryApp(
    { log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, now: h.now, newId: h.newId, metrics: h.metrics, ...overrides },
    queryConfig(),
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

function get(url: string, headers: Record<string, string> = AUTH) {
  return app.inject({ method: 'GET', url, headers });
}

function send(method: 'POST' | 'PUT', url: string, payload?: unknown) {
  return app.inject({ method, url, headers: AUTH, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}

describe('read routes', () => {
  it('lists the agents of the caller tenant only', async () => {
    await seedAgent(h, 'a', 'healthy');
    await seedAgent(h, 'b', 'unreachable');
    await seedAgent(h, 'other', 'healthy', 'globex');
    const res = await get('/v1/agents');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((a: { agentId: string }) => a.agentId).sort()).toEqual(['a', 'b']);
    expect(res.json().nextCursor).toBeNull();
  });

  it('filters deliverable agents, as a dispatcher asks before sending work', async () => {
    await seedAgent(h, 'a', 'healthy');
    await seedAgent(h, 'b', 'unreachable');
    const res = await get('/v1/agents?deliverable=true');
    expect(res.json().items.map((a: { agentId: string }) => a.agentId)).toEqual(['a']);
  });

  it('pages with limit and cursor', async () => {
    for (const id of ['a', 'b', 'c']) await seedAgent(h, id, 'healthy');
    const first = await get('/v1/agents?limit=2');
    expect(first.json().items).toHaveLength(2);
    const next = first.json().nextCursor as string;
    expect(next).toEqual(expect.any(String));
    const second = await get(`/v1/agents?limit=2&cursor=${encodeURIComponent(next)}`);
    expect(second.json().items).toHaveLength(1);
  });

  it('orders by severity on request, worst first, and pages in that order', async () => {
    await seedAgent(h, 'a-healthy', 'healthy');
    await seedAgent(h, 'b-stopped', 'stopped');
    await seedAgent(h, 'c-unreachable', 'unreachable');
    await seedAgent(h, 'd-degraded', 'degraded');
    const first = await get('/v1/agents?sort=severity&limit=2');
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((a: { agentId: string }) => a.agentId)).toEqual(['c-unreachable', 'd-degraded']);
    const second = await get(`/v1/agents?sort=severity&limit=2&cursor=${encodeURIComponent(first.json().nextCursor as string)}`);
    expect(second.json().items.map((a: { agentId: string }) => a.agentId)).toEqual(['a-healthy', 'b-stopped']);
    const wrongOrder = await get(`/v1/agents?sort=lastSeen&cursor=${encodeURIComponent(first.json().nextCursor as string)}`);
    expect(wrongOrder.statusCode).toBe(400);
    expect(wrongOrder.json().error.code).toBe('VIGIL_ERR_INVALID_CURSOR');
  });

  it('searches ids by prefix with q', async () => {
    for (const id of ['search-1', 'search-2', 'billing-1']) await seedAgent(h, id, 'healthy');
    const res = await get('/v1/agents?q=search-');
    expect(res.json().items.map((a: { agentId: string }) => a.agentId)).toEqual(['search-1', 'search-2']);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['deliverable=yes', 'deliverable'],
    ['status=sleeping', 'status'],
    ['label=nocolon', 'label'],
    ['label=a:b&label=nocolon', 'label.1'],
    ['sort=worst', 'sort'],
    ['q=', 'q'],
    ['stauts=healthy', 'stauts'],
  ])('rejects ?%s naming %s', async (query, field) => {
    const res = await get(`/v1/agents?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VIGIL_ERR_VALIDATION', field });
  });

  it('answers one agent', async () => {
    await seedAgent(h, 'a', 'degraded');
    const res = await get('/v1/agents/a');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ tenant: TENANT, agentId: 'a', status: 'degraded', deliverable: true });
  });

  it('answers 404 for an agent of another tenant', async () => {
    await seedAgent(h, 'secret', 'healthy', 'globex');
    const res = await get('/v1/agents/secret');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('VIGIL_ERR_AGENT_NOT_FOUND');
  });

  it("lists an agent's transitions newest first", async () => {
    await seedAgent(h, 'a', 'healthy');
    await seedTransition(h, 'a', 't-late', T0 + 60_000, 'degraded');
    const res = await get('/v1/agents/a/transitions?limit=10');
    expect(res.statusCode).toBe(200);
    expect(res.json().items[0]).toMatchObject({ id: 't-late', to: 'degraded' });
  });

  it('lists the tenant transitions', async () => {
    await seedAgent(h, 'a', 'healthy');
    await seedAgent(h, 'b', 'healthy');
    const res = await get('/v1/transitions');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(2);
  });

  it('answers 400 naming the cursor when it is not one of ours', async () => {
    const res = await get('/v1/transitions?cursor=garbage');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('cursor');
  });

  it('summarises the fleet', async () => {
    await seedAgent(h, 'a', 'healthy');
    await seedAgent(h, 'b', 'killed');
    const res = await get('/v1/fleet/summary');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ tenant: TENANT, total: 2, healthy: 1, killed: 1, deliverable: 1 });
  });

  it('shows agents per status and request durations on /metrics, all tenants together and none named', async () => {
    await seedAgent(h, 'a', 'healthy');
    await seedAgent(h, 'b', 'degraded');
    await seedAgent(h, 'c', 'healthy', 'globex');
    await get('/v1/fleet/summary');
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('vigil_agents{status="healthy"} 2');
    expect(res.body).toContain('vigil_agents{status="degraded"} 1');
    expect(res.body).toContain('vigil_agents{status="stopped"} 0');
    expect(res.body).toMatch(/vigil_http_request_duration_seconds_count\{method="GET",route="\/v1\/fleet\/summary",status="200"\} 1/);
    for (const tenant of [TENANT, 'globex']) expect(res.body).not.toContain(tenant);
  });

  it('answers metrics of an agent and checks the time range', async () => {
    await seedAgent(h, 'a', 'healthy');
    const ok = await get('/v1/agents/a/metrics?resolution=1h&from=2025-01-01T00:00:00Z&to=1735700000000');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ agentId: 'a', resolution: '1h', items: [] });
    const backwards = await get('/v1/agents/a/metrics?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.field).toBe('to');
    const badResolution = await get('/v1/agents/a/metrics?resolution=5m');
    expect(badResolution.json().error.field).toBe('resolution');
  });

  it('requires a key', async () => {
    const res = await get('/v1/agents', {});
    expect(res.statusCode).toBe(401);
  });
});

describe('POST /v1/agents/:id/kill', () => {
  it('appends agent-killed keyed by the agent and answers 202 with the event id', async () => {
    await seedAgent(h, 'a', 'healthy');
    h.clock.now = T0 + 42_000;
    const res = await send('POST', '/v1/agents/a/kill', { reason: 'runaway costs' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: true, agentId: 'a', event: 'id-1' });
    const events = await readAgentEvents(h);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'agent-killed',
      id: 'id-1',
      tenant: TENANT,
      agentId: 'a',
      time: '2025-01-01T00:00:42.000Z',
      key: keyOf('a'),
      data: { by: 'api-key', reason: 'runaway costs' },
    });
  });

  it('records who killed the agent when told', async () => {
    await seedAgent(h, 'a', 'healthy');
    await send('POST', '/v1/agents/a/kill', { reason: 'r', by: 'alice' });
    expect((await readAgentEvents(h))[0]).toMatchObject({ data: { by: 'alice' } });
  });

  it('answers 404 for an agent the read model does not know, appending nothing', async () => {
    const res = await send('POST', '/v1/agents/ghost/kill', { reason: 'r' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('VIGIL_ERR_AGENT_NOT_FOUND');
    await expectNothingAppended();
  });

  it.each([
    [undefined, ''],
    [{}, 'reason'],
    [{ reason: '' }, 'reason'],
    [{ reason: 'x'.repeat(1025) }, 'reason'],
    [{ reason: 'r', by: '' }, 'by'],
    [{ reason: 'r', extra: 1 }, 'extra'],
  ])('rejects body %j naming %j, appending nothing', async (body, field) => {
    await seedAgent(h, 'a', 'healthy');
    const res = await send('POST', '/v1/agents/a/kill', body);
    expect(res.statusCode).toBe(400);
    if (field) expect(res.json().error.field).toBe(field);
    else expect(res.json().error.message).toContain('reason');
    await expectNothingAppended();
  });
});

describe('POST /v1/agents/:id/resume', () => {
  it('appends agent-resumed for a killed agent', async () => {
    await seedAgent(h, 'a', 'killed');
    const res = await send('POST', '/v1/agents/a/resume', { reason: 'fixed' });
    expect(res.statusCode).toBe(202);
    expect((await readAgentEvents(h))[0]).toMatchObject({ type: 'agent-resumed', agentId: 'a', key: keyOf('a'), data: { by: 'api-key', reason: 'fixed' } });
  });

  it('needs no body', async () => {
    await seedAgent(h, 'a', 'killed');
    const res = await send('POST', '/v1/agents/a/resume');
    expect(res.statusCode).toBe(202);
  });

  it('answers 409 when the agent is not killed, appending nothing', async () => {
    await seedAgent(h, 'a', 'healthy');
    const res = await send('POST', '/v1/agents/a/resume', {});
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('VIGIL_ERR_AGENT_NOT_KILLED');
    await expectNothingAppended();
  });

  it('answers 404 for an unknown agent', async () => {
    const res = await send('POST', '/v1/agents/ghost/resume', {});
    expect(res.statusCode).toBe(404);
  });
});

describe('thresholds', () => {
  it('appends a keyed thresholds-set for one agent, durations in ms and null kept as clear', async () => {
    const res = await send('PUT', '/v1/agents/a/thresholds', { degradedAfter: '90s', unreachableAfter: 300_000, stalledAfter: null });
    expect(res.statusCode).toBe(202);
    const events = await readAgentEvents(h);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'thresholds-set',
      tenant: TENANT,
      agentId: 'a',
      key: keyOf('a'),
      data: { degradedAfterMs: 90_000, unreachableAfterMs: 300_000, stalledAfterMs: null },
    });
  });

  it('writes a tenant-wide setting to every partition with an explicit partition and one id', async () => {
    const res = await send('PUT', '/v1/thresholds', { degradedAfter: '2m' });
    expect(res.statusCode).toBe(202);
    expect(await endOffsets(h.log, h.topics.agentEvents)).toEqual(Array(PARTITIONS).fill(1));
    const events = await readAgentEvents(h);
    expect(events.map((e) => e.partition).sort()).toEqual([0, 1, 2, 3]);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    for (const e of events) {
      expect(e).toMatchObject({ type: 'thresholds-set', tenant: TENANT, key: null, data: { degradedAfterMs: 120_000 } });
      expect(e).not.toHaveProperty('agentId');
    }
  });

  it('refuses degradedAfter not below unreachableAfter, naming degradedAfter', async () => {
    const res = await send('PUT', '/v1/agents/a/thresholds', { degradedAfter: '5m', unreachableAfter: '2m' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('degradedAfter');
    expect(res.json().error.message).toContain('less than unreachableAfter');
    await expectNothingAppended();
  });

  it.each([
    [{ degradedAfter: 'soon' }, 'degradedAfter'],
    [{ degradedAfter: 0 }, 'degradedAfter'],
    [{ stalledAfter: '31d' }, 'stalledAfter'],
    [{ unreachableAfter: true }, 'unreachableAfter'],
    [{ degradedAfterMs: 1000 }, 'degradedAfterMs'],
  ])('rejects %j naming %s', async (body, field) => {
    const res = await send('PUT', '/v1/thresholds', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
    await expectNothingAppended();
  });

  it('refuses an empty setting', async () => {
    const res = await send('PUT', '/v1/thresholds', {});
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('at least one');
  });
});

describe('operations', () => {
  it('answers 503 with Retry-After when the log is unavailable for a kill', async () => {
    await app.close();
    const { VigilError } = await import('@vigil/contracts');
    app = build({
      log: logWith(h.log, { append: async () => Promise.reject(new VigilError('VIGIL_ERR_LOG_UNAVAILABLE', 'locked', { retriable: true })) }),
    });
    await seedAgent(h, 'a', 'healthy');
    const res = await send('POST', '/v1/agents/a/kill', { reason: 'r' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
  });

  it('answers /readyz with 503 when the log is not ready', async () => {
    await app.close();
    app = build({ log: logWith(h.log, { isReady: async () => false }) });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
  });

  it('serves Prometheus metrics counting requests by route pattern', async () => {
    await seedAgent(h, 'a', 'healthy');
    await get('/v1/agents/a');
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('vigil_http_requests_total{method="GET",route="/v1/agents/:id",status="200"} 1');
  });

  it('serves an OpenAPI document of every route', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/v1/agents', '/v1/agents/{id}', '/v1/agents/{id}/kill', '/v1/agents/{id}/resume', '/v1/thresholds', '/v1/transitions/stream', '/v1/fleet/summary', '/v1/whoami']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.components.securitySchemes.bearerApiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
