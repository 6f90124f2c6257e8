import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Cleanup } from '../e2e/support/cleanup.ts';
import { REPO_ROOT, VIGIL_BIN } from '../e2e/support/repo-root.ts';
import { SpawnedProcess } from '../e2e/support/spawned-process.ts';
import { tempDataDir } from '../e2e/support/temp-dir.ts';
import { createTenantKeys, matrixSize, runRoleChecks, runTenantMatrix, type MatrixRow } from '../support/tenant-matrix.ts';
import { kafkaBrokerEnv } from './support/kafka-broker-env.ts';
import { testPrefix } from './support/kafka-test-clients.ts';

/**
 * The tenant matrix and role checks against distributed mode: `vigil serve ingest`, `detector`, `projector` and
 * `query` as four processes on the real broker. Keys are created through query and must reach ingest (another
 * process) through the api-keys topic; a key revoked through query is refused by ingest within a second.
 */
const SUITE = 'tenants and roles against vigil serve on Kafka';
const { brokers, skip } = kafkaBrokerEnv(SUITE);
const STARTUP_MS = 90_000;

const cleanup = new Cleanup();
afterEach(() => cleanup.run());
const rows: MatrixRow[] = [];
afterAll(() => {
  if (rows.length > 0) console.info(`tenant matrix against vigil serve on Kafka: ${matrixSize(rows)}`);
});

async function serve(service: string, env: Record<string, string>): Promise<string> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_')));
  const child = new SpawnedProcess(process.execPath, [VIGIL_BIN, 'serve', service], { cwd: REPO_ROOT, env: { ...base, ...env } });
  cleanup.defer(`vigil serve ${service} (pid ${child.pid})`, () => child.destroy());
  const [, url] = await child.waitForStdout(new RegExp(`vigil ${service} ready on (\\S+)`), STARTUP_MS);
  return url!;
}

describe.skipIf(skip)(SUITE, () => {
  it('keeps tenant B away from every agent of tenant A, enforces roles, and revocation reaches every process', async () => {
    const dir = tempDataDir(cleanup, 'vigil-serve-tenants');
    const adminKey = `vgl_${randomBytes(24).toString('base64url')}`;
    const env = {
      VIGIL_LOG: `kafka:${brokers}`,
      VIGIL_TOPIC_PREFIX: testPrefix(),
      VIGIL_PARTITIONS: '2',
      VIGIL_STORE: `sqlite:${join(dir, 'store.db')}`,
      VIGIL_READ_MODEL: `sqlite:${join(dir, 'read.db')}`,
      // Query serves /v1/webhooks only with a webhook store (the file the notifier reads), and history from VIGIL_STORE:
      // with both, the matrix covers the routes it covers against vigil up.
      VIGIL_WEBHOOK_STORE: `sqlite:${join(dir, 'webhooks.db')}`,
      VIGIL_ADMIN_KEY: adminKey,
      VIGIL_PORT: '0',
      VIGIL_LOG_LEVEL: 'warn',
      VIGIL_KAFKA_SESSION_TIMEOUT: '6s',
    };
    const ingestUrl = await serve('ingest', env);
    const [queryUrl] = await Promise.all([serve('query', env), serve('detector', env), serve('projector', env)]);
    const urls = { ingestUrl, queryUrl: queryUrl!, adminKey, timeoutMs: 60_000 };
    const keys = await createTenantKeys(urls);
    rows.push(...(await runTenantMatrix(urls, keys)));
    rows.push(...(await runRoleChecks(urls, keys)));
    expect(rows.length).toBeGreaterThan(40);
    const routes = new Set(rows.map((r) => r.route));
    for (const route of ['GET /v1/agents/:id/history', 'GET /v1/webhooks', 'GET /v1/webhooks/:id/deliveries', 'DELETE /v1/webhooks/:id']) expect(routes, route).toContain(route);
  });
});
