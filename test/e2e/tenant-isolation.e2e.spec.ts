import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.ts';
import { Cleanup } from './support/cleanup.ts';
import { tempDataDir } from './support/temp-dir.ts';
import { startVigilUp } from './support/vigil-up.ts';
import { createTenantKeys, matrixSize, runRoleChecks, runTenantMatrix, type MatrixRow } from '../support/tenant-matrix.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
const rows: MatrixRow[] = [];
afterAll(() => {
  if (rows.length > 0) console.info(`tenant matrix against vigil up: ${matrixSize(rows)}`);
});

describe('tenants and roles against a real vigil up', () => {
  it('keeps tenant B away from every agent of tenant A, enforces roles, and refuses a revoked key at once', async () => {
    const dataDir = tempDataDir(cleanup, 'vigil-tenants');
    const up = await startVigilUp(cleanup, { dataDir });
    const urls = { ingestUrl: up.url, queryUrl: up.url, adminKey: up.apiKey, timeoutMs: 30_000 };
    const keys = await createTenantKeys(urls);
    rows.push(...(await runTenantMatrix(urls, keys)));
    rows.push(...(await runRoleChecks(urls, keys)));
    expect(rows.length).toBeGreaterThan(40);
  });
});

describe('API keys across a SIGKILL of vigil up', () => {
  it('keeps created keys, keeps revoked keys refused, and keeps the bootstrap key', async () => {
    const dataDir = tempDataDir(cleanup, 'vigil-keys-crash');
    const first = await startVigilUp(cleanup, { dataDir });
    const admin = new ApiClient(first.url, first.apiKey);
    const kept = (await admin.request<{ id: string; key: string }>('POST', '/v1/keys', { tenant: 'acme', role: 'agent' })).body;
    const gone = (await admin.request<{ id: string; key: string }>('POST', '/v1/keys', { tenant: 'acme', role: 'operator' })).body;
    expect((await admin.request('DELETE', `/v1/keys/${gone.id}`)).status).toBe(200);
    first.process.signal('SIGKILL');
    await first.process.waitForExit(10_000);

    const second = await startVigilUp(cleanup, { dataDir });
    expect(second.apiKey).toBe(first.apiKey);
    const beat = await new ApiClient(second.url, kept.key).request('POST', '/v1/heartbeats', { agentId: 'after-crash' });
    expect(beat.status).toBe(202);
    expect((await new ApiClient(second.url, gone.key).request('GET', '/v1/fleet/summary')).status).toBe(401);
    const listed = (await new ApiClient(second.url, second.apiKey).get<{ items: { id: string; static: boolean }[] }>('/v1/keys')).items;
    expect(listed.filter((k) => !k.static).map((k) => k.id)).toEqual([kept.id]);
  });
});
