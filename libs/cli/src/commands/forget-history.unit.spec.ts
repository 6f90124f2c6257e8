import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorReply, startTestServer } from '@vigil/sdk/testing';
import type { TestServer } from '@vigil/sdk/testing';
import { memoryIo } from '../../testing/index.ts';
import type { MemoryIo } from '../../testing/index.ts';
import { main } from '../main.ts';

describe('vigil forget, retention and agent --history against a real HTTP server', () => {
  let server: TestServer;
  let m: MemoryIo;
  const run = (...argv: string[]): Promise<number> => main(argv, m.io);

  beforeEach(async () => {
    server = await startTestServer(() => ({ status: 202, json: { accepted: true, event: 'e-1' } }));
    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k', USER: 'alice' } });
  });
  afterEach(async () => {
    await server.close();
  });

  it('forget sends DELETE with who and why, and prints JSON with --json', async () => {
    expect(await run('forget', 'alpha', '--reason', 'decommissioned', '--json')).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'DELETE', path: '/v1/agents/alpha', body: { reason: 'decommissioned', by: 'alice' } });
    expect(JSON.parse(m.stdout())).toEqual({ agentId: 'alpha', action: 'forget', accepted: true, by: 'alice' });
  });

  it('forget of an unknown agent exits 1 naming the code; without an id exits 2', async () => {
    server.setHandler(() => errorReply(404, 'VIGIL_ERR_AGENT_NOT_FOUND', 'no agent "ghost" in this tenant', { field: 'id' }));
    expect(await run('forget', 'ghost')).toBe(1);
    expect(m.stderr()).toContain('VIGIL_ERR_AGENT_NOT_FOUND');
    expect(await run('forget')).toBe(2);
    expect(server.requests).toHaveLength(1);
  });

  it('retention set puts forgetAfter, --default as null, and still takes the older --forget-after', async () => {
    expect(await run('retention', 'set', '3d')).toBe(0);
    expect(await run('retention', 'set', '--default')).toBe(0);
    expect(await run('retention', '--forget-after', '36h')).toBe(0);
    expect(await run('retention', '--forget-after', 'default')).toBe(0);
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['PUT', '/v1/retention', { forgetAfter: '3d' }],
      ['PUT', '/v1/retention', { forgetAfter: null }],
      ['PUT', '/v1/retention', { forgetAfter: '36h' }],
      ['PUT', '/v1/retention', { forgetAfter: null }],
    ]);
    expect(m.stdout()).toContain('Retention set: agents stopped or unreachable for 3d are forgotten');
    expect(m.stdout()).toContain('back to the platform default');
  });

  it('retention shows the tenant retention and whose it is, as a line or as JSON', async () => {
    server.setHandler(() => ({ json: { forgetAfter: '7d', forgetAfterMs: 604_800_000, source: 'platform' } }));
    expect(await run('retention')).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/retention' });
    expect(m.stdout()).toBe('Retention: agents stopped or unreachable for 7d are forgotten (the platform default).\n');
    server.setHandler(() => ({ json: { forgetAfter: '36h', forgetAfterMs: 129_600_000, source: 'tenant' } }));
    expect(await run('retention', '--json')).toBe(0);
    expect(JSON.parse(m.stdout().split('\n').slice(1).join('\n'))).toEqual({ forgetAfter: '36h', forgetAfterMs: 129_600_000, source: 'tenant' });
  });

  it.each([
    [['retention', 'set']],
    [['retention', 'set', '3d', '--default']],
    [['retention', '--default']],
    [['retention', 'get']],
    [['retention', 'set', '3d', '--forget-after', '1d']],
  ])('retention %j is a usage error (exit 2) that sends nothing', async (argv) => {
    expect(await run(...argv)).toBe(2);
    expect(server.requests).toHaveLength(0);
  });

  it('agent --history prints a page of the event-store history and how to get the next one', async () => {
    server.setHandler((req) => ({
      json: {
        items: [
          { revision: 7, type: 'status-transitioned', at: '2025-01-01T00:04:00.000Z', data: { from: 'healthy', to: 'degraded', reason: 'no heartbeat for 90s' } },
          { revision: 6, type: 'metric-summary', at: '2025-01-01T00:03:00.000Z', data: { count: 4, successRate: 0.75 } },
          { revision: 5, type: 'agent-killed', at: '2025-01-01T00:02:00.000Z', data: { by: 'ops', reason: 'x' } },
        ],
        nextCursor: req.query.get('cursor') === null ? 'c2' : null,
      },
    }));
    expect(await run('agent', 'alpha', '--history', '--limit', '3')).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/agents/alpha/history' });
    expect(server.requests[0]?.query.get('limit')).toBe('3');
    expect(m.stdout()).toBe(
      [
        'REV  AT                        TYPE                 WHAT',
        '7    2025-01-01T00:04:00.000Z  status-transitioned  healthy -> degraded: no heartbeat for 90s',
        '6    2025-01-01T00:03:00.000Z  metric-summary       4 calls 75% ok',
        '5    2025-01-01T00:02:00.000Z  agent-killed         {"by":"ops","reason":"x"}',
        'More: vigil agent alpha --history --cursor c2',
        '',
      ].join('\n'),
    );
    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k' } });
    expect(await run('agent', 'alpha', '--history', '--cursor', 'c2', '--json')).toBe(0);
    expect(server.requests[1]?.query.get('cursor')).toBe('c2');
    expect(JSON.parse(m.stdout())).toMatchObject({ nextCursor: null });
  });

  it('agent rejects a bad --limit, and --cursor without --history, with exit 2', async () => {
    expect(await run('agent', 'alpha', '--history', '--limit', '0')).toBe(2);
    expect(await run('agent', 'alpha', '--cursor', 'c2')).toBe(2);
    expect(m.stderr()).toContain('--limit and --cursor go with --history');
    expect(server.requests).toHaveLength(0);
  });
});
