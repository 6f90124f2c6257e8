import { buildIngestApp, ingestConfig } from '@vigil/ingest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/service-harness.ts';

/**
 * Regression (issue 9): `/metrics` answers without a key, and `vigil_heartbeats_accepted_total` was labelled by
 * tenant, so anyone who could reach the port learnt every customer's name and how many beats each sends.
 */
describe('GET /metrics', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('counts heartbeats of two tenants without naming either', async () => {
    const app = buildIngestApp({ log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, now: h.now }, ingestConfig({ ticks: false }));
    for (const key of ['test-key-acme', 'test-key-globex']) {
      const res = await app.inject({ method: 'POST', url: '/v1/heartbeats', headers: { authorization: `Bearer ${key}` }, payload: { agentId: 'a1' } });
      expect(res.statusCode).toBe(202);
    }
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('vigil_heartbeats_accepted_total 2');
    expect(metrics.body).not.toMatch(/acme|globex|tenant=/);
    await app.close();
  });
});
