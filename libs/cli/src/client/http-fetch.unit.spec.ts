import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VigilClient } from '@vigil/sdk';
import { errorReply, startTestServer, transitionView, type TestServer } from '@vigil/sdk/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpFetch } from './http-fetch.ts';

describe('httpFetch (the CLI transport over node:http)', () => {
  let server: TestServer;
  let client: VigilClient;

  beforeEach(async () => {
    server = await startTestServer(() => ({ json: {} }));
    client = new VigilClient({ apiKey: 'k-1', url: server.url, fetch: httpFetch, timeoutMs: 2000 });
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends method, headers and a JSON body, and reads status, headers and the answer', async () => {
    server.setHandler(() => ({ status: 201, json: { ok: true }, headers: { 'x-test': 'yes' } }));
    const res = await httpFetch(`${server.url}/v1/x?a=1`, { method: 'POST', headers: { Authorization: 'Bearer k', 'content-type': 'application/json' }, body: '{"é":1}' });
    expect([res.ok, res.status, res.headers.get('X-Test'), res.headers.get('missing')]).toEqual([true, 201, 'yes', null]);
    expect(JSON.parse(await res.text())).toEqual({ ok: true });
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/x', body: { é: 1 } });
    expect(server.requests[0]?.headers).toMatchObject({ authorization: 'Bearer k', 'content-length': '8' });
  });

  it('gives the SDK what it needs: error bodies and Retry-After, kills with a body, server-sent events', async () => {
    server.setHandler(() => ({ ...errorReply(503, 'VIGIL_ERR_UNAVAILABLE', 'log down'), headers: { 'retry-after': '3' } }));
    await expect(client.summary()).rejects.toMatchObject({ code: 'VIGIL_ERR_UNAVAILABLE', status: 503, retryAfterMs: 3000 });
    server.setHandler(() => ({ status: 202, json: { accepted: true } }));
    await client.kill('a1', 'runaway', { by: 'me' });
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/agents/a1/kill', body: { reason: 'runaway', by: 'me' } });
    server.setHandler(() => ({
      raw: (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`id: 7\nevent: transition\ndata: ${JSON.stringify(transitionView({ id: 't7' }))}\n\n`);
        res.end();
      },
    }));
    const seen: (string | undefined)[] = [];
    for await (const t of client.streamTransitions()) seen.push(t.eventId);
    expect(seen).toEqual(['7']);
  });

  it('fails as fetch does: no server is VIGIL_ERR_NETWORK naming the cause, no answer in time VIGIL_ERR_TIMEOUT', async () => {
    const gone = await startTestServer(() => ({ json: {} }));
    await gone.close();
    const refused = new VigilClient({ apiKey: 'k', url: gone.url, fetch: httpFetch });
    await expect(refused.summary()).rejects.toMatchObject({ code: 'VIGIL_ERR_NETWORK', status: null, message: expect.stringContaining('ECONNREFUSED') });
    await expect(httpFetch(gone.url)).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });

    const silent: Server = createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const slow = new VigilClient({ apiKey: 'k', url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, fetch: httpFetch, timeoutMs: 200 });
      await expect(slow.summary()).rejects.toMatchObject({ code: 'VIGIL_ERR_TIMEOUT', retriable: true });
      const aborted = new AbortController();
      aborted.abort(new Error('caller gave up'));
      await expect(httpFetch(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { signal: aborted.signal })).rejects.toThrow('caller gave up');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses what it does not do rather than sending something else', async () => {
    await expect(httpFetch(`${server.url}/`, { method: 'POST', body: new Uint8Array([1]) })).rejects.toThrow('string bodies only');
    await expect(httpFetch('ftp://127.0.0.1/')).rejects.toThrow('unsupported protocol');
    expect(server.requests).toHaveLength(0);
  });
});
