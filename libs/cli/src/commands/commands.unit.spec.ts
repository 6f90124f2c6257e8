import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentView, errorReply, startTestServer, transitionView } from '@vigil/sdk/testing';
import type { TestHandler, TestServer } from '@vigil/sdk/testing';
import { memoryIo } from '../../testing/index.ts';
import type { MemoryIo } from '../../testing/index.ts';
import { main } from '../main.ts';

const NOW = Date.parse('2025-01-01T00:05:00Z');

describe('vigil commands against a real HTTP server', () => {
  let server: TestServer;
  let m: MemoryIo;

  const run = (...argv: string[]): Promise<number> => main(argv, m.io);

  beforeEach(async () => {
    server = await startTestServer(() => errorReply(404, 'VIGIL_ERR_NOT_FOUND', 'no route'));
    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'key-9' }, now: () => NOW });
  });

  afterEach(async () => {
    await server.close();
  });

  describe('agents', () => {
    const recent = { agentId: 'alpha', windows: 3, count: 40, successes: 39, successRate: 0.975, latencyP95Ms: 420, costUsd: 0.0123 };
    const listHandler: TestHandler = (req) => {
        if (req.path === '/v1/metrics/recent') {
          return { json: { from: '2025-01-01T00:00:00.000Z', to: '2025-01-01T00:05:00.000Z', items: req.query.getAll('agent').includes('alpha') ? [recent] : [] } };
        }
        return req.query.get('cursor') === 'p2'
          ? { json: { items: [agentView({ agentId: 'beta-long-name', status: 'unreachable', deliverable: false, flapping: true, lastHeartbeatAt: null })], nextCursor: null } }
          : { json: { items: [agentView({ agentId: 'alpha', restarts: 2 })], nextCursor: 'p2' } };
    };
    beforeEach(() => server.setHandler(listHandler));

    it('prints every page as an aligned table with relative times, last-hour metrics (one request per page) and flags', async () => {
      expect(await run('agents')).toBe(0);
      expect(m.stdout()).toBe(
        [
          'STATUS       AGENT           LAST SEEN  SINCE   SUCCESS  P95    COST 1H  FLAGS',
          'healthy      alpha           4m ago     5m ago  97.5%    420ms  $0.0123  restarts=2',
          'unreachable  beta-long-name  never      5m ago  -        -      -        undeliverable,flapping',
          '',
        ].join('\n'),
      );
      expect(server.requests.map((r) => r.path)).toEqual(['/v1/agents', '/v1/metrics/recent', '/v1/agents', '/v1/metrics/recent']);
      expect(server.requests[1]?.query.getAll('agent')).toEqual(['alpha']);
      expect(server.requests[0]?.headers.authorization).toBe('Bearer key-9');
    });

    it('colours the status on a terminal, and not under NO_COLOR or into a pipe', async () => {
      m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k' }, now: () => NOW, stdoutIsTTY: true });
      expect(await run('agents')).toBe(0);
      expect(m.stdout()).toContain('\u001b[32mhealthy    \u001b[39m');
      expect(m.stdout()).toContain('\u001b[31munreachable\u001b[39m');
      m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k', NO_COLOR: '1' }, now: () => NOW, stdoutIsTTY: true });
      expect(await run('agents')).toBe(0);
      expect(m.stdout()).not.toContain('\u001b[');
      m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k' }, now: () => NOW });
      expect(await run('agents')).toBe(0);
      expect(m.stdout()).not.toContain('\u001b[');
    });

    it('passes the filters, sort and search to the API and prints parseable JSON with --json', async () => {
      expect(
        await run('agents', '--status', 'healthy', '--deliverable', '--label', 'team:a', '--label', 'env:prod', '--sort', 'severity', '--search', 'al', '--json'),
      ).toBe(0);
      const agents = JSON.parse(m.stdout()) as { agentId: string; recent: unknown }[];
      expect(agents.map((a) => a.agentId)).toEqual(['alpha', 'beta-long-name']);
      expect(agents[0]?.recent).toEqual(recent);
      expect(agents[1]?.recent).toBeNull();
      const q = server.requests[0]?.query;
      expect(q?.get('status')).toBe('healthy');
      expect(q?.get('deliverable')).toBe('true');
      expect(q?.getAll('label')).toEqual(['team:a', 'env:prod']);
      expect(q?.get('sort')).toBe('severity');
      expect(q?.get('q')).toBe('al');
    });

    it('takes --url and --api-key over the environment', async () => {
      m = memoryIo({ env: { VIGIL_URL: 'http://127.0.0.1:1', VIGIL_API_KEY: 'env-key' }, now: () => NOW });
      expect(await run('agents', '--url', server.url, '--api-key', 'flag-key', '--limit', '1')).toBe(0);
      expect(server.requests[0]?.headers.authorization).toBe('Bearer flag-key');
      expect(server.requests[0]?.query.get('limit')).toBe('1');
      expect(m.stdout().trim().split('\n')).toHaveLength(2);
    });

    it('--watch redraws with the summary line until aborted', async () => {
      const controller = new AbortController();
      const summary = { tenant: 'acme', total: 2, healthy: 1, degraded: 0, unreachable: 1, killed: 0, stopped: 0, stalled: 0, deliverable: 1, flapping: 1 };
      server.setHandler((req) => (req.path === '/v1/fleet/summary' ? { json: summary } : listHandler(req)));
      m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k' }, now: () => NOW, signal: controller.signal });
      const done = run('agents', '--watch', '--interval', '1');
      await expect.poll(() => m.stdout().split('Summary:').length, { timeout: 5000 }).toBe(3);
      controller.abort();
      expect(await done).toBe(0);
      expect(m.stdout()).toContain('Summary: 1 healthy, 1 unreachable');
      expect(m.stdout()).toContain('beta-long-name');
    });

    it('exits 2 for a bad sort, an empty search, or --watch with --json, without calling the API', async () => {
      expect(await run('agents', '--sort', 'name')).toBe(2);
      expect(m.stderr()).toContain('--sort must be one of severity, id, lastSeen');
      expect(await run('agents', '--search', '')).toBe(2);
      expect(await run('agents', '--watch', '--json')).toBe(2);
      expect(await run('agents', '--interval', '3')).toBe(2);
      expect(server.requests).toHaveLength(0);
    });

    it('exits 2 for a bad status or label, without calling the API', async () => {
      expect(await run('agents', '--status', 'sleepy')).toBe(2);
      expect(m.stderr()).toContain("--status must be one of healthy, degraded");
      expect(await run('agents', '--label', 'nocolon')).toBe(2);
      expect(m.stderr()).toContain('key:value');
      expect(server.requests).toHaveLength(0);
    });
  });

  it('agent <id> shows details, the last transitions and recent metric windows; --json parses', async () => {
    const point = {
      windowStart: '2025-01-01T00:03:00.000Z',
      windowEnd: '2025-01-01T00:04:00.000Z',
      count: 10,
      successes: 9,
      failures: 1,
      successRate: 0.9,
      latency: { count: 10, min: 5, avg: 80, max: 2000, p50: 60, p95: 1500, p99: 1990 },
      costUsd: 0.5,
    };
    server.setHandler((req) =>
      req.path === '/v1/agents/alpha'
        ? { json: agentView({ agentId: 'alpha', labels: { team: 'a' }, progress: { completed: 3, inFlight: 1 } }) }
        : req.path === '/v1/agents/alpha/metrics'
          ? { json: { agentId: 'alpha', resolution: '1m', items: [point] } }
          : { json: { items: [transitionView({ agentId: 'alpha' })], nextCursor: 'more' } },
    );
    expect(await run('agent', 'alpha')).toBe(0);
    const out = m.stdout();
    expect(out).toMatch(/^agent {8}alpha$/m);
    expect(out).toMatch(/^status {7}healthy \(since 5m ago\)$/m);
    expect(out).toContain('3 completed, 1 in flight');
    expect(out).toMatch(/Recent transitions\nWHEN\s+AT\s+FROM\s+TO\s+REASON\n3m ago\s+2025-01-01T00:02:00.000Z\s+healthy\s+degraded\s+no heartbeat for 90s/);
    expect(out).toMatch(/Metric windows \(1m\)\nWINDOW\s+COUNT\s+SUCCESS\s+P50\s+P95\s+P99\s+COST\n2025-01-01 00:03\s+10\s+90.0%\s+60ms\s+1.5s\s+2.0s\s+\$0.5000/);
    expect(server.requests.find((r) => r.path === '/v1/agents/alpha/transitions')?.query.get('limit')).toBe('10');
    const metrics = server.requests.find((r) => r.path === '/v1/agents/alpha/metrics');
    expect(metrics?.query.get('from')).toBe(String(NOW - 10 * 60_000));

    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k' }, now: () => NOW });
    expect(await run('agent', 'alpha', '--json', '--since', '2h', '--resolution', '1h')).toBe(0);
    const doc = JSON.parse(m.stdout()) as { agent: { agentId: string }; transitions: unknown[]; metrics: unknown[] };
    expect(doc.agent.agentId).toBe('alpha');
    expect(doc.transitions).toHaveLength(1);
    expect(doc.metrics).toHaveLength(1);
    const hourly = server.requests.filter((r) => r.path === '/v1/agents/alpha/metrics').at(-1);
    expect(hourly?.query.get('resolution')).toBe('1h');
    expect(hourly?.query.get('from')).toBe(String(Math.floor((NOW - 7_200_000) / 3_600_000) * 3_600_000));
  });

  it('agent --since takes ISO times and refuses nonsense with exit 2', async () => {
    expect(await run('agent', 'alpha', '--since', 'yesterday-ish')).toBe(2);
    expect(m.stderr()).toContain('--since must be a span such as 90m');
    expect(await run('agent', 'alpha', '--resolution', '5m')).toBe(2);
    expect(server.requests).toHaveLength(0);
  });

  it('agent <id> of an unknown agent exits 1 naming the server code', async () => {
    server.setHandler(() => errorReply(404, 'VIGIL_ERR_AGENT_NOT_FOUND', 'no agent ghost', { field: 'id' }));
    expect(await run('agent', 'ghost')).toBe(1);
    expect(m.stderr()).toBe('vigil agent: VIGIL_ERR_AGENT_NOT_FOUND: no agent ghost (field: id)\n');
    expect(m.stdout()).toBe('');
  });

  it('agent without an id exits 2', async () => {
    expect(await run('agent')).toBe(2);
    expect(m.stderr()).toContain('missing agent id');
  });

  it('summary prints one line of the statuses that have agents, and JSON with --json', async () => {
    const summary = { tenant: 'acme', total: 3, healthy: 2, degraded: 0, unreachable: 1, killed: 0, stopped: 0, stalled: 0, deliverable: 2, flapping: 0 };
    server.setHandler(() => ({ json: summary }));
    expect(await run('summary')).toBe(0);
    expect(m.stdout()).toBe('Summary: 2 healthy, 1 unreachable\n');
    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k' } });
    expect(await run('summary', '--json')).toBe(0);
    expect(JSON.parse(m.stdout())).toEqual(summary);
  });

  it('a server error exits 1 with the code; with --json the error is JSON on stderr', async () => {
    server.setHandler(() => errorReply(503, 'VIGIL_ERR_UNAVAILABLE', 'read model not ready', { headers: { 'retry-after': '3' } }));
    expect(await run('summary')).toBe(1);
    expect(m.stderr()).toContain('VIGIL_ERR_UNAVAILABLE: read model not ready');
    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k' } });
    expect(await run('summary', '--json')).toBe(1);
    expect(JSON.parse(m.stderr())).toEqual({ error: { code: 'VIGIL_ERR_UNAVAILABLE', message: 'read model not ready' } });
  });

  it('kill sends the reason and who; without --reason it exits 2', async () => {
    server.setHandler(() => ({ status: 202, json: { accepted: true } }));
    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k', USER: 'alice' } });
    expect(await run('kill', 'alpha', '--reason', 'burning money', '--json')).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/agents/alpha/kill', body: { reason: 'burning money', by: 'alice' } });
    expect(JSON.parse(m.stdout())).toMatchObject({ agentId: 'alpha', action: 'kill', accepted: true });
    expect(await run('kill', 'alpha')).toBe(2);
    expect(m.stderr()).toContain('--reason is required');
    expect(server.requests).toHaveLength(1);
  });

  it('resume of an agent that is not killed exits 1 with the 409 code', async () => {
    server.setHandler(() => errorReply(409, 'VIGIL_ERR_NOT_KILLED', 'alpha is not killed'));
    expect(await run('resume', 'alpha', '--reason', 'fixed', '--by', 'bob')).toBe(1);
    expect(server.requests[0]).toMatchObject({ path: '/v1/agents/alpha/resume', body: { reason: 'fixed', by: 'bob' } });
    expect(m.stderr()).toContain('VIGIL_ERR_NOT_KILLED');
  });

  it('thresholds puts durations for an agent or the tenant, and rejects bad ones with exit 2', async () => {
    server.setHandler(() => ({ status: 200, json: { ok: true } }));
    expect(await run('thresholds', 'alpha', '--degraded-after', '90s', '--unreachable-after', '300000', '--stalled-after', 'default')).toBe(0);
    expect(server.requests[0]).toMatchObject({
      method: 'PUT',
      path: '/v1/agents/alpha/thresholds',
      body: { degradedAfter: '90s', unreachableAfter: 300000, stalledAfter: null },
    });
    expect(m.stdout()).toBe('Thresholds of alpha set: degradedAfter=90s unreachableAfter=300000 stalledAfter=default\n');
    expect(await run('thresholds', '--degraded-after', '1h30m', '--json')).toBe(0);
    expect(server.requests[1]).toMatchObject({ path: '/v1/thresholds', body: { degradedAfter: '1h30m' } });
    expect(await run('thresholds', '--degraded-after', 'soon')).toBe(2);
    expect(await run('thresholds', 'alpha')).toBe(2);
    expect(m.stderr()).toContain('give at least one of');
    expect(server.requests).toHaveLength(2);
  });

  it('tail prints one line per transition and stops cleanly when aborted', async () => {
    const controller = new AbortController();
    server.setHandler(() => ({
      raw: (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`id: 1\nevent: transition\ndata: ${JSON.stringify(transitionView({ agentId: 'alpha' }))}\n\n`);
        res.write(`id: 2\nevent: transition\ndata: ${JSON.stringify(transitionView({ agentId: 'beta', from: 'degraded', to: 'unreachable', reason: 'silent 5m' }))}\n\n`);
      },
    }));
    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k' }, signal: controller.signal });
    const done = run('tail');
    await expect.poll(() => m.stdout().split('\n').length).toBe(3);
    controller.abort();
    expect(await done).toBe(0);
    expect(m.stdout()).toBe(
      '2025-01-01T00:02:00.000Z  alpha  healthy -> degraded  no heartbeat for 90s\n' +
        '2025-01-01T00:02:00.000Z  beta  degraded -> unreachable  silent 5m\n',
    );
  });

  it('tail --json prints JSONL and resumes from the last event id after the server closes the stream', async () => {
    const controller = new AbortController();
    let n = 0;
    server.setHandler(() => ({
      raw: (res) => {
        n++;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`id: ${n}\nevent: transition\ndata: ${JSON.stringify(transitionView({ id: `t${n}` }))}\n\n`);
      },
    }));
    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k' }, signal: controller.signal });
    const done = run('tail', '--json');
    await expect.poll(() => m.stdout().split('\n').length, { timeout: 5000 }).toBe(3);
    controller.abort();
    expect(await done).toBe(0);
    const lines = m.stdout().trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id)).toEqual(['t1', 't2']);
    expect(server.requests[1]?.headers['last-event-id']).toBe('1');
    expect(m.stderr()).toContain('reconnecting');
  });

  it('whoami prints one line naming role, name, id, tenant, URL and where the key came from; --json the answer and the URL', async () => {
    server.setHandler((req) => (req.path === '/v1/whoami' ? { json: { keyId: 'key_0123456789ab', tenant: 'acme', role: 'agent', name: 'fleet "a"' } } : errorReply(404, 'VIGIL_ERR_ROUTE_NOT_FOUND', 'no')));
    expect(await run('whoami')).toBe(0);
    expect(m.stdout()).toBe(`agent key "fleet \\"a\\"" (key_0123456789ab) of tenant acme at ${server.url}; key from VIGIL_API_KEY\n`);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/whoami' });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer key-9');
    m = memoryIo({ env: { VIGIL_URL: server.url } });
    expect(await run('whoami', '--api-key', 'key-7', '--json')).toBe(0);
    expect(JSON.parse(m.stdout())).toEqual({ keyId: 'key_0123456789ab', tenant: 'acme', role: 'agent', name: 'fleet "a"', url: server.url });
    expect(server.requests[1]?.headers.authorization).toBe('Bearer key-7');
  });

  it('whoami exits 1 naming the code when the server refuses the key, and 2 without a key', async () => {
    server.setHandler(() => errorReply(401, 'VIGIL_ERR_UNAUTHORIZED', 'the API key is not known (or was revoked)', { field: 'authorization' }));
    expect(await run('whoami')).toBe(1);
    expect(m.stderr()).toBe('vigil whoami: VIGIL_ERR_UNAUTHORIZED: the API key is not known (or was revoked) (field: authorization)\n');
    m = memoryIo({ env: { VIGIL_URL: server.url } });
    expect(await run('whoami')).toBe(2);
    expect(m.stderr()).toContain('an API key is required');
    expect(server.requests).toHaveLength(1);
  });

  it('tail exits 1 when the server refuses the key', async () => {
    server.setHandler(() => errorReply(401, 'VIGIL_ERR_UNAUTHORIZED', 'bad API key'));
    expect(await run('tail')).toBe(1);
    expect(m.stderr()).toContain('VIGIL_ERR_UNAUTHORIZED');
  });
});
