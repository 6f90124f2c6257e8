import { ManualScheduler } from '@vigil/http/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIngestApp } from './build-app.ts';
import { ingestConfig } from './config.ts';
import { AUTH, PARTITIONS, createHarness, endOffsets, logWith, type Harness } from '../../../test/support/service-harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});

afterEach(async () => {
  await h.close();
});

function deps(overrides = {}) {
  return { log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, now: h.now, newId: h.newId, ...overrides };
}

describe('buildIngestApp', () => {
  it('answers /healthz with 200 and no key', async () => {
    const app = buildIngestApp(deps(), ingestConfig({ ticks: false }));
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    await app.close();
  });

  it('answers /readyz with 200 while the log is ready', async () => {
    const app = buildIngestApp(deps(), ingestConfig({ ticks: false }));
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { log: true } });
    await app.close();
  });

  it('answers /readyz with 503 naming the log when the log is not ready', async () => {
    const app = buildIngestApp(deps({ log: logWith(h.log, { isReady: async () => false }) }), ingestConfig({ ticks: false }));
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({ code: 'VIGIL_ERR_NOT_READY', message: 'not ready: log' });
    await app.close();
  });

  it('starts the tick writer when ready and stops it on close', async () => {
    const scheduler = new ManualScheduler();
    const app = buildIngestApp(deps({ scheduler }), ingestConfig({ tickInterval: '250ms' }));
    await app.ready();
    expect(scheduler.intervals).toEqual([250]);
    scheduler.runAll();
    await app.close();
    expect(scheduler.active).toBe(0);
    expect(await endOffsets(h.log, h.topics.agentEvents)).toEqual(Array(PARTITIONS).fill(1));
  });

  it('answers unknown routes with a JSON 404', async () => {
    const app = buildIngestApp(deps(), ingestConfig({ ticks: false }));
    const res = await app.inject({ method: 'GET', url: '/v1/nothing', headers: AUTH });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('VIGIL_ERR_ROUTE_NOT_FOUND');
    await app.close();
  });

  it('serves an OpenAPI document listing the heartbeat route with its body schema', async () => {
    const app = buildIngestApp(deps(), ingestConfig({ ticks: false }));
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.paths['/v1/heartbeats'].post.requestBody).toBeDefined();
    expect(doc.paths['/v1/agents/{id}/goodbye']).toBeDefined();
    await app.close();
  });
});
