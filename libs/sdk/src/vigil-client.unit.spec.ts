import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentView, errorReply, startTestServer, transitionView } from '../testing/index.ts';
import type { TestServer } from '../testing/index.ts';
import { VigilApiError } from './errors.ts';
import { VigilClient } from './vigil-client.ts';

describe('VigilClient', () => {
  let server: TestServer;
  let client: VigilClient;

  beforeEach(async () => {
    server = await startTestServer(() => ({ status: 404, json: {} }));
    client = new VigilClient({ apiKey: 'secret', url: `${server.url}/` });
  });

  afterEach(async () => {
    await server.close();
  });

  it('walks every page of agents with the filter on each request', async () => {
    const pages: Record<string, { items: unknown[]; nextCursor: string | null }> = {
      '': { items: [agentView({ agentId: 'a' }), agentView({ agentId: 'b' })], nextCursor: 'c1' },
      c1: { items: [agentView({ agentId: 'c' })], nextCursor: 'c2' },
      c2: { items: [], nextCursor: null },
    };
    server.setHandler((req) => ({ json: pages[req.query.get('cursor') ?? ''] }));
    const ids: string[] = [];
    for await (const agent of client.listAgents({ status: 'healthy', deliverable: true, labels: { team: 'x', env: 'prod' }, limit: 2 })) ids.push(agent.agentId);
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(server.requests).toHaveLength(3);
    for (const req of server.requests) {
      expect(req.path).toBe('/v1/agents');
      expect(req.headers.authorization).toBe('Bearer secret');
      expect(req.query.get('status')).toBe('healthy');
      expect(req.query.get('deliverable')).toBe('true');
      expect(req.query.getAll('label')).toEqual(['team:x', 'env:prod']);
      expect(req.query.get('limit')).toBe('2');
    }
    expect(server.requests.map((r) => r.query.get('cursor'))).toEqual([null, 'c1', 'c2']);
  });

  it('returns one page with its cursor', async () => {
    server.setHandler(() => ({ json: { items: [agentView()], nextCursor: 'next' } }));
    const page = await client.listAgentsPage({}, { limit: 1, cursor: 'abc' });
    expect(page.nextCursor).toBe('next');
    expect(server.requests[0]?.query.get('cursor')).toBe('abc');
  });

  it('asks who the key is and validates the answer', async () => {
    server.setHandler(() => ({ json: { keyId: 'key_0123456789ab', tenant: 'acme', role: 'agent', name: 'fleet' } }));
    expect(await client.whoami()).toEqual({ keyId: 'key_0123456789ab', tenant: 'acme', role: 'agent', name: 'fleet' });
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/whoami' });
    server.setHandler(() => ({ json: { keyId: 'key_0123456789ab', tenant: 'acme', role: 'root', name: 'fleet' } }));
    await expect(client.whoami()).rejects.toMatchObject({ code: 'VIGIL_ERR_INVALID_RESPONSE' });
  });

  it('maps an error body to VigilApiError with the server code, status and field', async () => {
    server.setHandler(() => errorReply(404, 'VIGIL_ERR_AGENT_NOT_FOUND', 'no agent x', { field: 'id' }));
    const err = await client.getAgent('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VigilApiError);
    expect(err).toMatchObject({ code: 'VIGIL_ERR_AGENT_NOT_FOUND', status: 404, statusCode: 404, field: 'id', retriable: false, message: 'no agent x' });
  });

  it('marks 5xx and 503 retriable and keeps Retry-After', async () => {
    server.setHandler(() => errorReply(503, 'VIGIL_ERR_LOG_UNAVAILABLE', 'log down', { headers: { 'retry-after': '7' } }));
    await expect(client.summary()).rejects.toMatchObject({ code: 'VIGIL_ERR_LOG_UNAVAILABLE', status: 503, retriable: true, retryAfterMs: 7000 });
    server.setHandler(() => ({ status: 502, text: 'Bad Gateway' }));
    await expect(client.summary()).rejects.toMatchObject({ code: 'VIGIL_ERR_HTTP', status: 502, retriable: true });
  });

  it('marks an unreachable server as a retriable network error', async () => {
    await server.close();
    await expect(client.summary()).rejects.toMatchObject({ code: 'VIGIL_ERR_NETWORK', status: null, retriable: true });
    server = await startTestServer(() => ({ status: 200 }));
  });

  it('rejects an answer that breaks the contract', async () => {
    server.setHandler(() => ({ json: { tenant: 'acme', total: -1 } }));
    await expect(client.summary()).rejects.toMatchObject({ code: 'VIGIL_ERR_INVALID_RESPONSE', retriable: false });
  });

  it('sends kill, resume, goodbye and thresholds with the documented bodies', async () => {
    server.setHandler(() => ({ status: 202, json: { accepted: true } }));
    await client.kill('agent/1', 'runaway costs', { by: 'ops' });
    await client.resume('agent-2');
    await client.goodbye('agent-3', { reason: 'bye' });
    await client.setThresholds({ degradedAfter: '90s', unreachableAfter: 300_000, stalledAfter: null }, 'agent-4');
    await client.setThresholds({ degradedAfter: '2m' });
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/v1/agents/agent%2F1/kill', { reason: 'runaway costs', by: 'ops' }],
      ['POST', '/v1/agents/agent-2/resume', {}],
      ['POST', '/v1/agents/agent-3/goodbye', { reason: 'bye' }],
      ['PUT', '/v1/agents/agent-4/thresholds', { degradedAfter: '90s', unreachableAfter: 300_000, stalledAfter: null }],
      ['PUT', '/v1/thresholds', { degradedAfter: '2m' }],
    ]);
  });

  it('surfaces a 409 on resuming an agent that is not killed', async () => {
    server.setHandler(() => errorReply(409, 'VIGIL_ERR_NOT_KILLED', 'agent-1 is not killed'));
    await expect(client.resume('agent-1', 'oops')).rejects.toMatchObject({ code: 'VIGIL_ERR_NOT_KILLED', status: 409 });
  });

  it('reads transitions of an agent and of the tenant', async () => {
    server.setHandler(() => ({ json: { items: [transitionView()], nextCursor: null } }));
    const page = await client.transitionsPage('agent-1', { limit: 10 });
    expect(page.items[0]?.to).toBe('degraded');
    const all = [];
    for await (const t of client.transitions()) all.push(t);
    expect(all).toHaveLength(1);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/agents/agent-1/transitions', '/v1/transitions']);
    expect(server.requests[0]?.query.get('limit')).toBe('10');
  });

  it('follows the transition stream until the server ends it', async () => {
    server.setHandler(() => ({
      raw: (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': keep-alive\n\n');
        res.write(`id: 1\nevent: transition\ndata: ${JSON.stringify(transitionView({ id: 'a' }))}\n\n`);
        res.write('event: other\ndata: {}\n\n');
        res.end(`id: 2\r\nevent: transition\r\ndata: ${JSON.stringify(transitionView({ id: 'b', to: 'unreachable' }))}\r\n\r\n`);
      },
    }));
    const seen = [];
    for await (const s of client.streamTransitions({ lastEventId: '0' })) seen.push([s.eventId, s.transition.id, s.transition.to]);
    expect(seen).toEqual([
      ['1', 'a', 'degraded'],
      ['2', 'b', 'unreachable'],
    ]);
    expect(server.requests[0]?.headers['last-event-id']).toBe('0');
    expect(server.requests[0]?.headers.accept).toBe('text/event-stream');
  });

  it('validates its options at construction', () => {
    expect(() => new VigilClient({ apiKey: '', url: server.url })).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_INVALID_OPTIONS', details: { field: 'apiKey' } }));
    expect(() => new VigilClient({ apiKey: 'k', url: 'ftp://x' })).toThrow(/url/);
  });
});
