import { errorReply, startTestServer, type TestServer } from '@vigil/sdk/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryIo, type MemoryIo } from '../../testing/index.ts';
import { main } from '../main.ts';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const info = { id: 'key_0123456789ab', name: 'fleet', tenant: 'acme', role: 'agent', createdAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null, static: false };

describe('vigil keys against a real HTTP server', () => {
  let server: TestServer;
  let m: MemoryIo;
  const run = (...argv: string[]): Promise<number> => main(argv, m.io);

  beforeEach(async () => {
    server = await startTestServer(() => errorReply(404, 'VIGIL_ERR_ROUTE_NOT_FOUND', 'no route'));
    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'admin-key' }, now: () => NOW });
  });
  afterEach(async () => {
    await server.close();
  });

  it('create --json posts tenant, role and name and prints {id, key, tenant, role, name}', async () => {
    server.setHandler(() => ({ status: 201, json: { id: info.id, key: 'vgl_secret', tenant: 'acme', role: 'agent', name: 'fleet', createdAt: info.createdAt } }));
    expect(await run('keys', 'create', '--tenant', 'acme', '--role', 'agent', '--name', 'fleet', '--json')).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/keys', body: { tenant: 'acme', role: 'agent', name: 'fleet' } });
    expect(server.requests[0]!.headers.authorization).toBe('Bearer admin-key');
    expect(JSON.parse(m.stdout())).toEqual({ id: info.id, key: 'vgl_secret', tenant: 'acme', role: 'agent', name: 'fleet' });
  });

  it('list prints a table without keys; revoke deletes by id', async () => {
    server.setHandler((req) => (req.method === 'GET' ? { json: { items: [info], nextCursor: null } } : { json: info }));
    expect(await run('keys', 'list')).toBe(0);
    expect(m.stdout()).toMatch(/key_0123456789ab +acme +agent +fleet +10m ago +never/);
    expect(await run('keys', 'revoke', info.id)).toBe(0);
    expect(server.requests[1]).toMatchObject({ method: 'DELETE', path: `/v1/keys/${info.id}` });
  });

  it('prints the server error code and exits 1 (an operator key gets 403)', async () => {
    server.setHandler(() => errorReply(403, 'VIGIL_ERR_FORBIDDEN', 'this route needs a key with role admin (or higher); this key has role operator'));
    expect(await run('keys', 'list')).toBe(1);
    expect(m.stderr()).toContain('VIGIL_ERR_FORBIDDEN');
  });

  it.each([
    [['keys'], /missing action/],
    [['keys', 'rotate'], /unknown action 'rotate'/],
    [['keys', 'create', '--tenant', 'acme'], /--role is required/],
    [['keys', 'create', '--role', 'root'], /--role must be one of agent, operator, admin/],
    [['keys', 'create', '--role', 'agent', '--tenant', 'Acme Corp'], /--tenant must be lower-case/],
    [['keys', 'revoke'], /missing key id/],
  ])('%j is a usage error (exit 2) and calls nothing', async (argv, message) => {
    expect(await run(...argv)).toBe(2);
    expect(m.stderr()).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });
});
