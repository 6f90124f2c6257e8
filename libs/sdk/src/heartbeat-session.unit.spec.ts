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
    client = new VigilClient({ apiKey: 'key-1', url: server.url, agentId: 'agent-1', random: () => 0.5 });
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

  it('sends a failed beat again as it was (same seq, same samples), and what was reported meanwhile after it', async () => {
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10, eventLoopDelay: false });
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
    // The retry is the very beat that failed: if its first copy was stored after all, the platform drops it by seq.
    expect(beatBody(2)).toEqual(beatBody(1));
    expect(beatBody(2)).toMatchObject({ seq: 1, metrics: [{ success: true, latencyMs: 1 }] });
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(3));
    expect(beatBody(3)).toMatchObject({ seq: 2, metrics: [{ success: false, latencyMs: 2 }] });
    expect(session.stats.pendingMetrics).toBe(0);
  });

  it('retries with exponential backoff and full jitter, capped at the interval', async () => {
    // A fetch that fails at once (connection refused), so the fake clock alone decides when each attempt leaves.
    const at: number[] = [];
    const refused = (): Promise<Response> => {
      at.push(Date.now());
      return Promise.reject(new TypeError('fetch failed'));
    };
    const jittery = new VigilClient({ apiKey: 'k', url: server.url, agentId: 'agent-1', random: () => 0.5, fetch: refused });
    const session = jittery.mesh.startHeartbeat({ intervalSeconds: 5 });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(20_000);
    // Half of min(5 s, 1 s * 2^(n-1)) with random() = 0.5: 0.5 s, 1 s, 2 s, then the cap, 2.5 s, from then on.
    const gaps = at.slice(1, 7).map((t, i) => t - at[i]!);
    expect(gaps).toEqual([500, 1000, 2000, 2500, 2500, 2500]);
    expect(session.stats.beatsAccepted).toBe(0);
    expect(new Set(server.requests.map((r) => r.path))).toEqual(new Set());
    await jittery.stop({ timeoutMs: 0 });
  });

  it('spreads the retries of many agents over the whole backoff window (full jitter, not lockstep)', async () => {
    const { fullJitterDelay } = await import('./backoff.ts');
    let seed = 42;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const delays = Array.from({ length: 10_000 }, () => fullJitterDelay(4, 30_000, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(8_000);
    const buckets = new Array<number>(8).fill(0);
    for (const d of delays) buckets[Math.floor(d / 1000)]!++;
    for (const b of buckets) expect(b).toBeGreaterThan(1_000); // about 1,250 each
    expect(fullJitterDelay(30, 30_000, () => 0.999)).toBeLessThan(30_000);
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
    await vi.waitFor(() => expect(session.stats.beatsFailed).toBeGreaterThanOrEqual(2));
    await session.stop({ timeoutMs: 0 });
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

  it('refuses a second heartbeat for the same agent (a programming error at construction)', () => {
    client.mesh.startHeartbeat();
    expect(() => client.mesh.startHeartbeat()).toThrow(/already running/);
  });

  it('never throws into the agent for invalid samples or progress, or calls without a heartbeat: reports them', async () => {
    const errors: Error[] = [];
    client.mesh.on('error', (e) => errors.push(e));
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10 });
    expect(() => session.reportMetric({ success: true, latencyMs: -1 })).not.toThrow();
    expect(() => client.progress({ completed: -1, inFlight: 0 })).not.toThrow();
    expect(() => session.track(42 as unknown as Promise<void>)).not.toThrow();
    expect(session.stats).toMatchObject({ invalidInputs: 3, pendingMetrics: 0 });
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['VIGIL_ERR_INVALID_INPUT', 'VIGIL_ERR_INVALID_INPUT', 'VIGIL_ERR_INVALID_INPUT']);
    expect(errors[0]?.message).toMatch(/reportMetric: latencyMs/);
    const lonely = new VigilClient({ apiKey: 'k', url: server.url });
    const lonelyErrors: Error[] = [];
    lonely.mesh.on('error', (e) => lonelyErrors.push(e));
    expect(() => lonely.reportMetric({ success: true })).not.toThrow();
    expect(() => lonely.progress({ completed: 1, inFlight: 0 })).not.toThrow();
    await expect(lonely.track(Promise.resolve('done'))).resolves.toBe('done');
    expect(lonely.mesh.ignoredCalls).toBe(3);
    expect(lonelyErrors[0]).toMatchObject({ code: 'VIGIL_ERR_NO_HEARTBEAT' });
  });

  it('counts tracked work as in flight, then completed, with a metric sample each, and returns the work', async () => {
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10 });
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(1));
    let finish!: (v: string) => void;
    const slow = new Promise<string>((resolve) => (finish = resolve));
    const tracked = client.track(slow);
    expect(tracked).toBe(slow);
    const failing = client.track(Promise.reject(new Error('tool failed')));
    await expect(failing).rejects.toThrow('tool failed');
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(2));
    expect(beatBody(1)['progress']).toEqual({ completed: 1, inFlight: 1 });
    expect(beatBody(1)['metrics']).toEqual([{ success: false, latencyMs: 0 }]);
    await vi.advanceTimersByTimeAsync(1_000);
    finish('ok');
    await expect(tracked).resolves.toBe('ok');
    await vi.advanceTimersByTimeAsync(9_000);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(3));
    expect(beatBody(2)['progress']).toEqual({ completed: 2, inFlight: 0 });
    const [sample] = beatBody(2)['metrics'] as Array<{ success: boolean; latencyMs: number }>;
    expect(sample?.success).toBe(true);
    expect(sample?.latencyMs).toBeGreaterThanOrEqual(1_000); // settled after a 1 s advance of the clock
    // An explicit progress() sets the counters; tracking goes on from there.
    client.progress({ completed: 100, inFlight: 0 });
    void client.track(Promise.resolve(), { metric: false });
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(4));
    expect(beatBody(3)['progress']).toEqual({ completed: 101, inFlight: 0 });
    expect(beatBody(3)['metrics']).toBeUndefined();
  });

  it('retries a goodbye refused with 503 until it is accepted, within stop()', async () => {
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10 });
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(1));
    let refusals = 2;
    server.setHandler((req) => (req.path.endsWith('/goodbye') && refusals-- > 0 ? errorReply(503, 'VIGIL_ERR_UNAVAILABLE', 'log busy') : accepted()(req)));
    let stopped = false;
    void session.stop({ reason: 'deploy' }).then(() => (stopped = true));
    await vi.waitFor(() => expect(stopped).toBe(true), { timeout: 10_000, interval: 20 }); // waitFor advances the fake clock
    const goodbyes = server.requests.filter((r) => r.path.endsWith('/goodbye'));
    expect(goodbyes).toHaveLength(3);
    expect(goodbyes.every((g) => (g.body as { reason?: string }).reason === 'deploy')).toBe(true);
  });

  it('gives up on the goodbye when stop() runs out of time, and does not retry a 4xx', async () => {
    const session = client.mesh.startHeartbeat({ intervalSeconds: 10 });
    await vi.waitFor(() => expect(session.stats.beatsAccepted).toBe(1));
    server.setHandler((req) => (req.path.endsWith('/goodbye') ? errorReply(503, 'VIGIL_ERR_UNAVAILABLE', 'down') : accepted()(req)));
    const t0 = Date.now();
    let stoppedAt = 0;
    void session.stop({ timeoutMs: 2_000 }).then(() => (stoppedAt = Date.now()));
    await vi.waitFor(() => expect(stoppedAt).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    expect(stoppedAt - t0).toBeLessThanOrEqual(2_100);
    const tries = server.requests.filter((r) => r.path.endsWith('/goodbye')).length;
    expect(tries).toBeGreaterThan(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.requests.filter((r) => r.path.endsWith('/goodbye')).length).toBe(tries);

    server.setHandler((req) => (req.path.endsWith('/goodbye') ? errorReply(404, 'VIGIL_ERR_AGENT_NOT_FOUND', 'gone') : accepted()(req)));
    const other = client.mesh.startHeartbeat({ agentId: 'agent-2', intervalSeconds: 10 });
    await vi.waitFor(() => expect(other.stats.beatsAccepted).toBe(1));
    let otherStopped = false;
    void other.stop().then(() => (otherStopped = true));
    await vi.waitFor(() => expect(otherStopped).toBe(true), { timeout: 10_000, interval: 20 });
    expect(server.requests.filter((r) => r.path === '/v1/agents/agent-2/goodbye')).toHaveLength(1);
  });
});

describe('heartbeat session: event-loop delay (real timers)', () => {
  it('sends the delay of the event loop since the previous beat, from the second beat on', async () => {
    const server = await startTestServer(accepted());
    const client = new VigilClient({ apiKey: 'k', url: server.url, agentId: 'agent-1' });
    try {
      const session = client.mesh.startHeartbeat({ intervalSeconds: 0.3 });
      await vi.waitFor(() => expect(session.stats.beatsAccepted).toBeGreaterThanOrEqual(1));
      const blockedUntil = Date.now() + 120;
      while (Date.now() < blockedUntil); // a synchronous stretch, as a CPU-bound agent would have
      await vi.waitFor(() => expect(session.stats.beatsAccepted).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
      const bodies = server.requests.filter((r) => r.path === '/v1/heartbeats').map((r) => r.body as { eventLoopDelayMs?: { p50: number; p99: number; max: number } });
      expect(bodies[0]?.eventLoopDelayMs).toBeUndefined();
      const delay = bodies[1]?.eventLoopDelayMs;
      expect(delay).toEqual({ p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) });
      expect(delay!.max).toBeGreaterThanOrEqual(50);
      expect(delay!.p50).toBeLessThanOrEqual(delay!.p99);
      expect(delay!.p99).toBeLessThanOrEqual(delay!.max);
    } finally {
      await client.stop();
      await server.close();
    }
  });

  it('sends none when turned off', async () => {
    const server = await startTestServer(accepted());
    const client = new VigilClient({ apiKey: 'k', url: server.url, agentId: 'agent-1' });
    try {
      const session = client.mesh.startHeartbeat({ intervalSeconds: 0.2, eventLoopDelay: false });
      await vi.waitFor(() => expect(session.stats.beatsAccepted).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
      expect(server.requests.some((r) => (r.body as Record<string, unknown>)['eventLoopDelayMs'] !== undefined)).toBe(false);
    } finally {
      await client.stop();
      await server.close();
    }
  });
});
