import { afterAll, afterEach, describe, expect, it } from 'vitest';
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
