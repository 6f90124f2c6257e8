import { agentStreamName } from '@vigil/contracts';
import { SqliteEventStore } from '@vigil/store';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTH, PARTITIONS, T0, TENANT, createHarness, endOffsets, keyOf, readAgentEvents, seedAgent, type Harness } from '../../../test/support/service-harness.ts';
import { buildQueryApp } from './build-app.ts';
import { queryConfig } from './config.ts';

let h: Harness;
let store: SqliteEventStore;
let app: FastifyInstance;

beforeEach(async () => {
  h = await createHarness();
  store = new SqliteEventStore({ path: ':memory:' });
  app = buildQueryApp(
    { log: h.log, readModel: h.readModel, store, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, now: h.now, newId: h.newId, metrics: h.metrics },
    queryConfig(),
  );
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await store.close();
  await h.close();
});

const inject = (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>, headers: Record<string, string> = AUTH) =>
  app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

describe('DELETE /v1/agents/:id', () => {
  it('appends an agent-forgotten request keyed like the agent and answers 202 with its id', async () => {
    await seedAgent(h, 'a1', 'unreachable');
    const res = await inject('DELETE', '/v1/agents/a1', { reason: 'decommissioned', by: 'alice' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: true, agentId: 'a1', event: 'id-1' });
    const events = await readAgentEvents(h);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'agent-forgotten', tenant: TENANT, agentId: 'a1', key: keyOf('a1'), time: new Date(T0).toISOString(), data: { by: 'alice', reason: 'decommissioned' } });
  });

  it('takes no body at all, defaulting who and why', async () => {
    await seedAgent(h, 'a1', 'healthy');
    const res = await inject('DELETE', '/v1/agents/a1');
    expect(res.statusCode).toBe(202);
    expect((await readAgentEvents(h))[0]).toMatchObject({ data: { by: 'api-key', reason: '' } });
  });

  it("answers 404 for an unknown agent and for another tenant's agent, appending nothing", async () => {
    await seedAgent(h, 'theirs', 'healthy', 'globex');
    for (const id of ['nobody', 'theirs']) {
      const res = await inject('DELETE', `/v1/agents/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toMatchObject({ code: 'VIGIL_ERR_AGENT_NOT_FOUND', field: 'id' });
    }
    expect(await endOffsets(h.log, h.topics.agentEvents)).toEqual(Array(PARTITIONS).fill(0));
  });

  it('rejects a bad body naming the field, and a missing key with 401', async () => {
    await seedAgent(h, 'a1', 'healthy');
    const bad = await inject('DELETE', '/v1/agents/a1', { reason: 'x', extra: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VIGIL_ERR_VALIDATION', field: 'extra' });
    expect((await inject('DELETE', '/v1/agents/a1', undefined, {})).statusCode).toBe(401);
    expect(await endOffsets(h.log, h.topics.agentEvents)).toEqual(Array(PARTITIONS).fill(0));
  });
});

describe('PUT /v1/retention', () => {
  it('writes retention-set to every partition with one id', async () => {
    const res = await inject('PUT', '/v1/retention', { forgetAfter: '36h' });
    expect(res.statusCode).toBe(202);
    const events = await readAgentEvents(h);
    expect(events.map((e) => e.partition).sort()).toEqual([0, 1, 2, 3]);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(events[0]).toMatchObject({ type: 'retention-set', tenant: TENANT, data: { forgetAfterMs: 36 * 3600 * 1000 } });
  });

  it('takes null for the platform default', async () => {
    expect((await inject('PUT', '/v1/retention', { forgetAfter: null })).statusCode).toBe(202);
    expect((await readAgentEvents(h))[0]).toMatchObject({ data: { forgetAfterMs: null } });
  });

  it.each([[{ forgetAfter: '10s' }], [{ forgetAfter: 'soon' }], [{ forgetAfter: '4000d' }], [{}], [{ forgetAfter: '7d', other: 1 }]])(
    'rejects %j naming the field',
    async (body) => {
      const res = await inject('PUT', '/v1/retention', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VIGIL_ERR_VALIDATION');
      expect(res.json().error.field).toMatch(/forgetAfter|other/);
    },
  );
});

describe('GET /v1/agents/:id/history', () => {
  async function seedStream(agentId: string, count: number, tenant = TENANT): Promise<void> {
    await store.appendToStream(
      agentStreamName(tenant, agentId),
      Array.from({ length: count }, (_, i) => ({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        type: i === 0 ? 'agent-registered' : 'status-transitioned',
        data: { n: i },
        metadata: { time: new Date(T0 + i * 1000).toISOString(), tenant, agentId },
      })),
      'any',
    );
  }

  it('pages the stream newest first, each entry once, with revision, type, at and data', async () => {
    await seedAgent(h, 'a1', 'healthy');
    await seedStream('a1', 5);
    const first = await inject('GET', '/v1/agents/a1/history?limit=2');
    expect(first.statusCode).toBe(200);
    expect(first.json().items).toEqual([
      { revision: 4, type: 'status-transitioned', at: new Date(T0 + 4000).toISOString(), data: { n: 4 } },
      { revision: 3, type: 'status-transitioned', at: new Date(T0 + 3000).toISOString(), data: { n: 3 } },
    ]);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await inject('GET', `/v1/agents/a1/history?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      seen.push(...res.json().items.map((e: { revision: number }) => e.revision));
      cursor = res.json().nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([4, 3, 2, 1, 0]);
  });

  it('answers 404 for an agent unknown to the tenant, and an empty page for a known agent without history', async () => {
    await seedStream('theirs', 2, 'globex');
    expect((await inject('GET', '/v1/agents/theirs/history')).statusCode).toBe(404);
    await seedAgent(h, 'quiet', 'healthy');
    expect((await inject('GET', '/v1/agents/quiet/history')).json()).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a cursor it did not issue', async () => {
    await seedAgent(h, 'a1', 'healthy');
    for (const cursor of ['nope', Buffer.from('{"r":-1}').toString('base64url')]) {
      const res = await inject('GET', `/v1/agents/a1/history?cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VIGIL_ERR_INVALID_CURSOR', field: 'cursor' });
    }
  });

  it('answers 503 naming VIGIL_STORE when the service has no event store', async () => {
    const bare = buildQueryApp({ log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger }, queryConfig());
    await seedAgent(h, 'a1', 'healthy');
    const res = await bare.inject({ method: 'GET', url: '/v1/agents/a1/history', headers: AUTH });
    await bare.close();
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('VIGIL_ERR_HISTORY_UNAVAILABLE');
    expect(res.json().error.message).toContain('VIGIL_STORE');
  });
});
