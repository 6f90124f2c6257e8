/**
 * A beat sent twice (the SDK retrying one whose answer timed out although it was stored) is counted once, through the
 * HTTP API of a real `vigil up`: its metric samples appear once in `GET /v1/agents/:id/metrics`, and `/metrics` counts
 * the repeat. Beats without `seq` (curl, other producers) are never taken for repeats. The event-loop delay a beat
 * carries is served by `GET /v1/agents/:id`.
 */
import type { MetricPoint } from '@vigil/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.ts';
import { Cleanup } from './support/cleanup.ts';
import { tempDataDir } from './support/temp-dir.ts';
import { startVigilUp } from './support/vigil-up.ts';
import { waitUntil } from './support/wait-for.ts';

/** Metric summaries are emitted when their minute closes: up to a minute, plus slack for a loaded machine. */
const MINUTE_SETTLE_MS = 100_000;

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(async () => {
  await cleanup.run();
});

const samples = (n: number, latencyMs: number) => Array.from({ length: n }, () => ({ success: true, latencyMs, costUsd: 0.01 }));
const total = (points: MetricPoint[]): number => points.reduce((sum, p) => sum + p.count, 0);

describe('repeated heartbeats', () => {
  it('counts the samples of a beat posted twice once, and those of beats without seq every time', async () => {
    const up = await startVigilUp(cleanup, { dataDir: tempDataDir(cleanup, 'vigil-e2e-repeats'), args: ['--api-key', 'repeats-e2e-key'] });
    const api = new ApiClient(up.url, up.apiKey);
    const first = { instanceId: 'run-1', seq: 0, metrics: samples(2, 100), eventLoopDelayMs: { p50: 10.1, p99: 12.5, max: 40 } };
    await api.heartbeat('retried', first);
    await api.heartbeat('retried', first); // the retry of a beat that was stored: same instance, same seq
    await api.heartbeat('retried', { instanceId: 'run-1', seq: 1, metrics: samples(1, 200) });
    await api.heartbeat('retried', { instanceId: 'run-1', seq: 0, metrics: samples(2, 100) }); // late copy of seq 0
    await api.heartbeat('retried', { instanceId: 'run-2', seq: 0, metrics: samples(1, 300) }); // a restart counts afresh
    await api.heartbeat('plain', { metrics: samples(1, 50) });
    await api.heartbeat('plain', { metrics: samples(1, 50) });

    const agent = await waitUntil('the agent to be known', () => api.agent('retried'), (a) => a !== null, { timeoutMs: 30_000 });
    expect(agent?.eventLoopDelayMs).toEqual({ p50: 10.1, p99: 12.5, max: 40 });

    const retried = await waitUntil(
      'the minute of the beats to be summarised',
      () => api.get<{ items: MetricPoint[] }>('/v1/agents/retried/metrics?resolution=1m'),
      (page) => total(page.items) > 0,
      { timeoutMs: MINUTE_SETTLE_MS, intervalMs: 1000 },
    );
    expect(total(retried.items)).toBe(4); // 2 (seq 0) + 1 (seq 1) + 1 (run-2): the repeats added nothing
    const plain = await waitUntil('the plain agent summarised', () => api.get<{ items: MetricPoint[] }>('/v1/agents/plain/metrics?resolution=1m'), (page) => total(page.items) > 0, {
      timeoutMs: MINUTE_SETTLE_MS,
      intervalMs: 1000,
    });
    expect(total(plain.items)).toBe(2);
    expect(await api.metricLines('vigil_detector')).toContain('vigil_detector{counter="duplicateBeats"} 2');
  });

  it('refuses a malformed seq or event-loop delay and stores nothing', async () => {
    const up = await startVigilUp(cleanup, { dataDir: tempDataDir(cleanup, 'vigil-e2e-repeats-bad'), args: ['--api-key', 'repeats-e2e-key'] });
    const api = new ApiClient(up.url, up.apiKey);
    const badSeq = await api.request<{ error: { code: string; field?: string } }>('POST', '/v1/heartbeats', { agentId: 'x', seq: -1 });
    expect(badSeq.status).toBe(400);
    expect(badSeq.body.error).toMatchObject({ code: 'VIGIL_ERR_VALIDATION', field: 'seq' });
    const badDelay = await api.request<{ error: { code: string; field?: string } }>('POST', '/v1/heartbeats', { agentId: 'x', eventLoopDelayMs: { p50: 1, p99: 'slow', max: 2 } });
    expect(badDelay.status).toBe(400);
    expect(badDelay.body.error).toMatchObject({ code: 'VIGIL_ERR_VALIDATION', field: 'eventLoopDelayMs.p99' });
    expect(await api.agent('x')).toBeNull();
  });
});
