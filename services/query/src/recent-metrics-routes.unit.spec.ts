import type { FastifyInstance } from 'fastify';
import { CONTRACT_VERSION, type DetectorOutputEvent } from '@vigil/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildQueryApp } from './build-app.ts';
import { queryConfig } from './config.ts';
import { AUTH, T0, TENANT, createHarness, type Harness } from '../../../test/support/service-harness.ts';

let h: Harness;
let app: FastifyInstance;
let offset = 0;

beforeEach(async () => {
  h = await createHarness();
  app = buildQueryApp({ log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, now: h.now, newId: h.newId }, queryConfig());
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await h.close();
});

/** A closed minute window of an agent, as the detector emits it. */
async function seedMinute(agentId: string, minuteStart: number, count: number, successes: number, p95: number, costUsd: number, tenant = TENANT) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const event: DetectorOutputEvent = {
    version: CONTRACT_VERSION,
    type: 'metric-summary',
    id: `m-${agentId}-${minuteStart}`,
    time: iso(minuteStart + 60_000),
    tenant,
    agentId,
    data: {
      windowStart: iso(minuteStart),
      windowEnd: iso(minuteStart + 60_000),
      count,
      successes,
      failures: count - successes,
      successRate: successes / count,
      latency: { count, min: 1, avg: p95 / 2, max: p95, p50: p95 / 2, p95, p99: p95 },
      costUsd,
      sketch: { zeros: 0, buckets: { '10': count } },
    },
  };
  await h.readModel.apply([event], { topic: h.topics.statusTransitions, partition: 2, nextOffset: ++offset });
}

const get = (url: string, headers: Record<string, string> = AUTH) => app.inject({ method: 'GET', url, headers });

describe('GET /v1/metrics/recent', () => {
  it('sums the last hour of several agents in one answer, worst minute p95, leaving older minutes and other tenants out', async () => {
    h.clock.now = T0 + 2 * 3_600_000 + 30_000;
    const minute = Math.floor(h.clock.now / 60_000) * 60_000;
    await seedMinute('a', minute - 60_000, 10, 9, 120, 0.01);
    await seedMinute('a', minute, 10, 10, 300, 0.02);
    await seedMinute('a', minute - 61 * 60_000, 100, 0, 9999, 5); // older than an hour
    await seedMinute('b', minute - 30 * 60_000, 4, 2, 50, 0.5);
    await seedMinute('c', minute, 4, 4, 50, 0.5, 'globex');
    const res = await get('/v1/metrics/recent?agent=a&agent=b&agent=c&agent=ghost');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      { agentId: 'a', windows: 2, count: 20, successes: 19, successRate: 0.95, latencyP95Ms: 300, costUsd: 0.03 },
      { agentId: 'b', windows: 1, count: 4, successes: 2, successRate: 0.5, latencyP95Ms: 50, costUsd: 0.5 },
    ]);
  });

  it('takes minutes= for a shorter range', async () => {
    h.clock.now = T0 + 3_600_000;
    const minute = Math.floor(h.clock.now / 60_000) * 60_000;
    await seedMinute('a', minute - 5 * 60_000, 10, 9, 120, 0.01);
    await seedMinute('a', minute, 1, 1, 10, 0.02);
    const res = await get('/v1/metrics/recent?agent=a&minutes=2');
    expect(res.json().items[0]).toMatchObject({ windows: 1, count: 1 });
  });

  it.each([
    ['', 'agent'],
    ['agent=a&minutes=0', 'minutes'],
    ['agent=a&window=1h', 'window'],
    [Array.from({ length: 501 }, (_, i) => `agent=a${i}`).join('&'), 'agent'],
  ])('rejects ?%s naming %s', async (query, field) => {
    const res = await get(`/v1/metrics/recent?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VIGIL_ERR_VALIDATION', field });
  });

  it('needs a key', async () => {
    expect((await get('/v1/metrics/recent?agent=a', {})).statusCode).toBe(401);
  });
});
