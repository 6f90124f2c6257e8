/**
 * The built platform under plain node: `VIGIL_DIST=1 vigil up` runs libs/cli/dist (every @vigil/* package from its
 * dist/ through the `vigil-dist` condition, no tsx) and serves beats like the source build does. Needs `npm run build`
 * first (CI builds before the tests); without a build it is skipped with a printed reason, and fails under CI=true.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../e2e/support/api-client.ts';
import { Cleanup } from '../e2e/support/cleanup.ts';
import { REPO_ROOT, VIGIL_BIN } from '../e2e/support/repo-root.ts';
import { tempDataDir } from '../e2e/support/temp-dir.ts';
import { startVigilUp } from '../e2e/support/vigil-up.ts';
import { waitUntil } from '../e2e/support/wait-for.ts';

const run = promisify(execFile);
const built = ['libs/cli/dist/main.js', 'libs/cli/dist/bundle/vigil-client.js', 'services/detector/dist/index.js', 'libs/sdk/dist/index.js'].every((f) => existsSync(join(REPO_ROOT, f)));
if (!built && process.env['CI'] !== 'true') console.log('dist-cli e2e skipped: no build (run `npm run build` first)');

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(async () => {
  await cleanup.run();
});

describe.skipIf(!built && process.env['CI'] !== 'true')('vigil from the build (VIGIL_DIST=1)', () => {
  it('prints its version and runs the platform from dist/', async () => {
    const env = { ...process.env, VIGIL_DIST: '1' };
    const { stdout } = await run(process.execPath, [VIGIL_BIN, '--version'], { cwd: REPO_ROOT, env });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);

    const up = await startVigilUp(cleanup, { dataDir: tempDataDir(cleanup, 'vigil-e2e-dist'), args: ['--api-key', 'dist-e2e-key'], env: { VIGIL_DIST: '1' } });
    const api = new ApiClient(up.url, up.apiKey);
    await api.heartbeat('built-agent', { instanceId: 'i1', seq: 0, eventLoopDelayMs: { p50: 1, p99: 2, max: 3 } });
    const agent = await waitUntil('the agent healthy', () => api.agent('built-agent'), (a) => a?.status === 'healthy', { timeoutMs: 30_000 });
    expect(agent?.eventLoopDelayMs).toEqual({ p50: 1, p99: 2, max: 3 });
  });
});
