import { decodeAgentEvent } from '@vigil/contracts';
import { InMemoryApiKeyResolver } from '@vigil/http';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, AUTH, PARTITIONS, TENANT, createHarness, type Harness } from '../../../test/support/service-harness.ts';
import { buildQueryApp } from './build-app.ts';
import { queryConfig } from './config.ts';

const DAY_MS = 24 * 3600 * 1000;
const GLOBEX = { authorization: 'Bearer test-key-globex' };
const AGENT = { authorization: 'Bearer agent-key-acme' };

let h: Harness;
let app: FastifyInstance;

async function start(platformForgetAfterMs?: number): Promise<void> {
  const apiKeys = new InMemoryApiKeyResolver({ [API_KEY]: TENANT, 'test-key-globex': 'globex', 'agent-key-acme': { tenant: TENANT, role: 'agent' } });
  app = buildQueryApp(
    { log: h.log, readModel: h.readModel, topics: h.topics, apiKeys, logger: h.logger, now: h.now, newId: h.newId, ...(platformForgetAfterMs === undefined ? {} : { platformForgetAfterMs }) },
    queryConfig(),
  );
  await app.ready();
}

/** Folds every record of agent-events into the read model, as the projector does. */
async function project(): Promise<void> {
  for (let p = 0; p < PARTITIONS; p++) {
    const records = await h.log.read(h.topics.agentEvents, p, 0, 10_000);
    if (records.length === 0) continue;
    await h.readModel.apply(records.map((r) => decodeAgentEvent(r.value)), { topic: h.topics.agentEvents, partition: p, nextOffset: records[records.length - 1]!.offset + 1 });
  }
}

const get = (headers: Record<string, string> = AUTH) => app.inject({ method: 'GET', url: '/v1/retention', headers });
const put = (forgetAfter: string | null, headers: Record<string, string> = AUTH) => app.inject({ method: 'PUT', url: '/v1/retention', headers, payload: { forgetAfter } });

beforeEach(async () => {
  h = await createHarness();
});

afterEach(async () => {
  await app.close();
  await h.close();
});

describe('GET /v1/retention', () => {
  it('answers the platform default for a tenant that set none', async () => {
    await start();
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ forgetAfter: '7d', forgetAfterMs: 7 * DAY_MS, source: 'platform' });
  });

  it("answers the platform default the detector was given (vigil up --forget-after)", async () => {
    await start(36 * 3600 * 1000);
    expect((await get()).json()).toEqual({ forgetAfter: '36h', forgetAfterMs: 36 * 3600 * 1000, source: 'platform' });
  });

  it("answers the tenant's own setting once it is folded, and the default again after null", async () => {
    await start();
    expect((await put('3d')).statusCode).toBe(202);
    await project();
    expect((await get()).json()).toEqual({ forgetAfter: '3d', forgetAfterMs: 3 * DAY_MS, source: 'tenant' });

    expect((await put(null)).statusCode).toBe(202);
    await project();
    expect((await get()).json()).toEqual({ forgetAfter: '7d', forgetAfterMs: 7 * DAY_MS, source: 'platform' });
  });

  it("never shows another tenant's setting", async () => {
    await start();
    expect((await put('90m', GLOBEX)).statusCode).toBe(202);
    await project();
    expect((await get()).json()).toEqual({ forgetAfter: '7d', forgetAfterMs: 7 * DAY_MS, source: 'platform' });
    expect((await get(GLOBEX)).json()).toEqual({ forgetAfter: '90m', forgetAfterMs: 90 * 60_000, source: 'tenant' });
  });

  it('refuses an agent key with 403 naming the role, and a missing key with 401', async () => {
    await start();
    const denied = await get(AGENT);
    expect(denied.statusCode).toBe(403);
    expect(JSON.stringify(denied.json().error)).toContain('operator');
    expect((await get({})).statusCode).toBe(401);
  });

  it('is in the OpenAPI document with its role and answer', async () => {
    await start();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operation = doc.paths['/v1/retention'].get;
    expect(operation['x-vigil-role']).toBe('operator');
    expect(Object.keys(operation.responses['200'].content['application/json'].schema.properties).sort()).toEqual(['forgetAfter', 'forgetAfterMs', 'source']);
  });
});
