import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWrkScript, wrkLoad } from '../../bench/wrk-load.ts';

// wrk is installed by .ci/run (apt-get install wrk): a missing wrk fails here, as any missing tool of the suite does.
describe('bench ingest --wrk: the bodies wrk sends', () => {
  let server: Server;
  let url: string;
  let dir: string;
  const bodies: unknown[] = [];
  const headers: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-wrk-test-'));
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        if (bodies.length < 200) {
          bodies.push(JSON.parse(text));
          headers.push(req.headers);
        }
        res.writeHead(req.url === '/v1/heartbeats' && req.method === 'POST' ? 202 : 404, { 'content-type': 'application/json' }).end('{"accepted":1}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts one beat of the next agent per request, with the headers given, and reports what it measured', async () => {
    bodies.length = 0;
    headers.length = 0;
    const result = await wrkLoad(url, writeWrkScript(dir, 3, 1), 1, 1, 1, { authorization: 'Bearer k' });
    expect(result.failed).toBe(0);
    expect(result.beatsPerSec).toBeGreaterThan(0);
    // wrk may build a request or two before it sends any, so the first body can be of a later agent; from there each
    // body is of the next agent and the next seq.
    const beats = bodies as { agentId: string; instanceId: string; intervalSeconds: number; seq: number }[];
    expect(beats.length).toBeGreaterThan(3);
    expect(beats[0]).toMatchObject({ instanceId: 'bench', intervalSeconds: 30 });
    for (let i = 1; i < 4; i++) {
      expect(beats[i]!.seq).toBe(beats[i - 1]!.seq + 1);
      expect(beats[i]!.agentId).toBe(`bench-agent-${(beats[i]!.seq - 1) % 3}`);
    }
    expect(headers[0]).toMatchObject({ authorization: 'Bearer k', 'content-type': 'application/json' });
  });

  it('posts batches of the next agents as {"heartbeats": [...]}', async () => {
    bodies.length = 0;
    const result = await wrkLoad(url, writeWrkScript(dir, 1000, 3), 1, 1, 3, {});
    expect(result.beatsPerSec).toBeCloseTo(result.requestsPerSec * 3);
    const batches = bodies as { heartbeats: { agentId: string; seq: number }[] }[];
    for (const [a, b] of [batches[0]!, batches[1]!].map((x) => [x.heartbeats[0]!, x.heartbeats[2]!] as const)) {
      expect(b.seq).toBe(a.seq + 2);
      expect(b.agentId).toBe(`bench-agent-${(b.seq - 1) % 1000}`);
    }
    expect(batches[0]!.heartbeats).toHaveLength(3);
    expect(batches[1]!.heartbeats[0]!.seq).toBe(batches[0]!.heartbeats[2]!.seq + 1);
  });
});
