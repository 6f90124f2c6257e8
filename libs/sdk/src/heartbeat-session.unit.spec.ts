import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorReply, startTestServer } from '../testing/index.ts';
import type { RecordedRequest, TestHandler, TestServer } from '../testing/index.ts';
import { VigilClient } from './vigil-client.ts';
import type { KillInfo } from './options.ts';

const accepted = (killed = false): TestHandler => (req) =>
  req.path === '/v1/heartbeats'
    ? { status: 202, json: { accepted: 1, agents: [{ agentId: 'agent-1', killed, status: killed ? 'killed' : 'healthy' }] } }
    : { status: 202, json: { accepted: true } };

describe('heartbeat session', () => {
  let server: TestServer;
  let client: VigilClient;

  const beats = (): RecordedRequest[] => server.requests.filter((r) => r.path === '/v1/heartbeats');
  const beatBody = (i: number): Record<string, unknown> => beats()[i]?.body as Record<string, unknown>;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.parse('2025-01-01T00:00:00Z') });
    server = await startTestServer(accepted());
    client = new VigilClient({ apiKey: 'key-1', url: server.url, agentId: 'agent-1' });
  });

  afterEach(async () => {
    await client.stop();
    vi.useRealTimers();
    await server.close();
  });

  it('sends the first beat at once, authenticated, with process defaults', async () => {
    client.mesh.startHeartbeat({ intervalSeconds: 30, instanceId: 'inst-1', labels: { team: 'a' } });
    await vi.waitFor(() => expect(beats()).toHaveLength(1));
    const req = beats()[0];
    expect(req?.method).toBe('POST');
    expect(req?.headers.authorization).toBe('Bearer key-1');
    expect(req?.body).toMatchObject({
      agentId: 'agent-1',
      instanceId: 'inst-1',
      intervalSeconds: 30,
      seq: 0,
      sentAt: '2025-01-01T00:00:00.000Z',
      pid: process.pid,
      labels: { team: 'a' },
    });
    expect(typeof beatBody(0)['host']).toBe('string');
  });

  it('beats again every interval with an increasing seq, not before', async () => {
    client.mesh.startHeartbeat({ intervalSeconds: 30 });
    await vi.waitFor(() => expect(beats()).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(beats()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(beats()).toHaveLength(2));
    await vi.advanceTimersByTimeAsync(30_000);
    await vi.waitFor(() => expect(beats()).toHaveLength(3));
    expect(beats().map((r) => (r.body as { seq: number }).seq)).toEqual([0, 1, 2]);
  });

  it('carries the metrics reported since the last beat, once, and the latest progress', async () => {
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10 });
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(1));
    expect(beatBody(0)['metrics']).toBeUndefined();
    client.reportMetric({ success: true, latencyMs: 120, costUsd: 0.01 });
    client.reportMetric({ success: false });
    client.progress({ completed: 5, inFlight: 1 });
    client.progress({ completed: 7, inFlight: 2 });
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(2));
    expect(beatBody(1)['metrics']).toEqual([{ success: true, latencyMs: 120, costUsd: 0.01 }, { success: false }]);
    expect(beatBody(1)['progress']).toEqual({ completed: 7, inFlight: 2 });
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(3));
    expect(beatBody(2)['metrics']).toBeUndefined();
    expect(beatBody(2)['progress']).toEqual({ completed: 7, inFlight: 2 });
  });

  it('keeps the metrics of a failed beat for the next one, in order', async () => {
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10 });
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(1));
    server.setHandler(() => errorReply(500, 'VIGIL_ERR_INTERNAL', 'boom'));
    client.reportMetric({ success: true, latencyMs: 1 });
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsFailed).toBe(1));
    expect(session.stats.pendingMetrics).toBe(1);
    server.setHandler(accepted());
    client.reportMetric({ success: false, latencyMs: 2 });
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(2));
    expect(beatBody(2)['metrics']).toEqual([{ success: true, latencyMs: 1 }, { success: false, latencyMs: 2 }]);
    expect(session.stats.pendingMetrics).toBe(0);
  });

  it('drops the metrics of a beat the server refuses for good (4xx), counting them', async () => {
    server.setHandler(() => errorReply(400, 'VIGIL_ERR_VALIDATION', 'bad', { field: 'metrics' }));
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10 });
    await vi.waitFor(() => expect(session.stats.beatsFailed).toBe(1));
    client.reportMetric({ success: true });
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsFailed).toBe(2));
    expect(session.stats).toMatchObject({ pendingMetrics: 0, droppedMetrics: 1 });
  });

  it('bounds the buffer at 10,000 samples, dropping the oldest', () => {
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10 });
    for (let i = 0; i < 10_005; i++) session.reportMetric({ success: true, latencyMs: i });
    expect(session.stats).toMatchObject({ pendingMetrics: 10_000, droppedMetrics: 5 });
  });

  it('never throws out of the timer: a network failure is emitted and the next beat retries', async () => {
    const url = server.url;
    await server.close();
    const down = new VigilClient({ apiKey: 'k', url, agentId: 'agent-1' });
    const errors: Error[] = [];
    down.mesh.on('error', (e) => errors.push(e));
    const session = down.mesh.startHeartbeat({ intervalSeconds: 5 });
    await vi.waitFor(() => expect(session.stats.beatsFailed).toBe(1));
    expect(errors[0]).toMatchObject({ code: 'VIGIL_ERR_NETWORK', retriable: true, status: null });
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(() => expect(session.stats.beatsFailed).toBe(2));
    await session.stop();
    server = await startTestServer(accepted());
  });

  it('fires onKilled and "killed" once when a beat says killed, and "resumed" when lifted', async () => {
    server.setHandler(accepted(true));
    const onKilled = vi.fn<(i: KillInfo) => void>();
    const resumed: KillInfo[] = [];
    const killedEvents: KillInfo[] = [];
    client.mesh.on('killed', (i) => killedEvents.push(i));
    client.mesh.on('resumed', (i) => resumed.push(i));
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10, onKilled });
    await vi.waitFor(() => expect(onKilled).toHaveBeenCalledTimes(1));
    expect(onKilled).toHaveBeenCalledWith({ agentId: 'agent-1', status: 'killed' });
    expect(session.killed).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(2));
    expect(onKilled).toHaveBeenCalledTimes(1);
    expect(killedEvents).toHaveLength(1);
    server.setHandler(accepted(false));
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(resumed).toEqual([{ agentId: 'agent-1', status: 'healthy' }]));
    expect(session.killed).toBe(false);
  });

  it('keeps beating when an onKilled callback throws', async () => {
    server.setHandler(accepted(true));
    const session = client.mesh.startHeartbeat({
      intervalSeconds: 10,
      onKilled: () => {
        throw new Error('agent bug');
      },
    });
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(1));
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(2));
  });

  it('stops beating and says goodbye on stop(), once, after the last beat', async () => {
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10, instanceId: 'inst-9' });
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(1));
    await Promise.all([client.stop({ reason: 'deploy' }), session.stop(), client.mesh.stop('agent-1')]);
    const goodbyes = server.requests.filter((r) => r.path === '/v1/agents/agent-1/goodbye');
    expect(goodbyes).toHaveLength(1);
    expect(goodbyes[0]?.method).toBe('POST');
    expect(goodbyes[0]?.body).toEqual({ instanceId: 'inst-9', reason: 'deploy' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(beats()).toHaveLength(1);
    expect(server.requests.at(-1)?.path).toBe('/v1/agents/agent-1/goodbye');
    expect(session.running).toBe(false);
  });

  it('flushes unsent metrics with a last beat before the goodbye', async () => {
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10 });
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(1));
    session.reportMetric({ success: true });
    await session.stop();
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/heartbeats', '/v1/heartbeats', '/v1/agents/agent-1/goodbye']);
    expect(beatBody(1)['metrics']).toEqual([{ success: true }]);
  });

  it('honours Retry-After of a 503: no beat before it, one at it', async () => {
    server.setHandler(() => errorReply(503, 'VIGIL_ERR_LOG_UNAVAILABLE', 'log down', { headers: { 'retry-after': '60' } }));
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10 });
    await vi.waitFor(() => expect(session.stats.beatsFailed).toBe(1));
    server.setHandler(accepted());
    await vi.advanceTimersByTimeAsync(59_999);
    expect(beats()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(1));
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(2));
  });

  it('refuses a second heartbeat for the same agent and invalid samples', () => {
    const session = client.mesh.startHeartbeat();
    expect(() => client.mesh.startHeartbeat()).toThrow(/already running/);
    expect(() => session.reportMetric({ success: true, latencyMs: -1 })).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_INVALID_INPUT' }));
    expect(() => new VigilClient({ apiKey: 'k', url: server.url }).reportMetric({ success: true })).toThrow(
      expect.objectContaining({ code: 'VIGIL_ERR_NO_HEARTBEAT' }),
    );
  });
});
