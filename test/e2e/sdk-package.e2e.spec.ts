/**
 * `@vigil/sdk` as its users get it: `npm pack -w @vigil/sdk`, the tarball installed with `npm install <tarball>` in
 * an empty directory outside the repository, then a plain `node agent.mjs` (no tsx, no flags) from there beats
 * against a real `vigil up` until the HTTP API shows the agent healthy; a TypeScript file is type-checked against the
 * installed package (and a wrong one is refused, so the check can fail).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.ts';
import { Cleanup } from './support/cleanup.ts';
import { REPO_ROOT } from './support/repo-root.ts';
import { SpawnedProcess } from './support/spawned-process.ts';
import { tempDataDir } from './support/temp-dir.ts';
import { startVigilUp } from './support/vigil-up.ts';
import { waitUntil } from './support/wait-for.ts';

const run = promisify(execFile);
/** npm pack builds the SDK (prepack) and npm install may fetch zod from the registry: minutes on a loaded box. */
const COMMAND_TIMEOUT_MS = 240_000;
const SETTLE_MS = 30_000;
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The environment of an outside user's shell: none of this repository's npm, node or Vigil settings. */
function outsideEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|VIGIL_|NODE_OPTIONS$|INIT_CWD$)/i.test(k)));
}

const AGENT = `import { VigilClient } from '@vigil/sdk';
const client = new VigilClient({ apiKey: process.env.VIGIL_API_KEY, url: process.env.VIGIL_URL });
const session = client.mesh.startHeartbeat({ agentId: 'packed-agent', intervalSeconds: 1, labels: { from: 'tarball' } });
session.on('beat', (beat) => console.log(JSON.stringify({ event: 'beat', seq: beat.seq, status: beat.status })));
session.on('error', (err) => console.log(JSON.stringify({ event: 'error', message: err.message })));
const work = setInterval(() => {
  void client.track(new Promise((resolve) => setTimeout(resolve, 20)));
}, 200);
process.once('SIGTERM', () => {
  clearInterval(work);
  void client.stop({ reason: 'done' }).then(() => console.log(JSON.stringify({ event: 'stopped' })));
});
`;

const TYPED_AGENT = `import { VigilClient, VigilApiError, type AgentView, type HeartbeatSession } from '@vigil/sdk';
const client = new VigilClient({ apiKey: 'k', url: 'http://127.0.0.1:1' });
const session: HeartbeatSession = client.mesh.startHeartbeat({ agentId: 'typed', intervalSeconds: 30 });
client.reportMetric({ success: true, latencyMs: 3 });
export async function firstHealthy(): Promise<AgentView | undefined> {
  for await (const agent of client.listAgents({ status: 'healthy' })) return agent;
  return undefined;
}
export const retriable = (err: unknown): boolean => err instanceof VigilApiError && err.retriable;
void session.stop();
`;

const MISTYPED_AGENT = `import { VigilClient } from '@vigil/sdk';
const client = new VigilClient({ apiKey: 'k', url: 'http://127.0.0.1:1' });
client.reportMetric({ success: 'yes' });
`;

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(async () => {
  await cleanup.run();
});

describe('the packed SDK, installed outside the repository', () => {
  it('runs an agent under plain node against vigil up (tracked work, event-loop delay), and type-checks', async () => {
    const packDir = tempDataDir(cleanup, 'vigil-sdk-pack');
    const { stdout: packed } = await run('npm', ['pack', '-w', '@vigil/sdk', '--pack-destination', packDir, '--json'], { cwd: REPO_ROOT, timeout: COMMAND_TIMEOUT_MS });
    const [info] = JSON.parse(packed.slice(packed.indexOf('['))) as Array<{ filename: string; size: number; files: Array<{ path: string }> }>;
    const files = info!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/contracts/index.js']));
    expect(files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(f))).toEqual([]);
    console.log(`packed ${info!.filename}: ${info!.size} bytes, ${files.length} files`);

    const user = tempDataDir(cleanup, 'vigil-sdk-user');
    expect(user.startsWith(REPO_ROOT)).toBe(false);
    writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'outside-agent', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', join(packDir, info!.filename)], { cwd: user, env: outsideEnv(), timeout: COMMAND_TIMEOUT_MS });
    const installed = JSON.parse(readFileSync(join(user, 'node_modules', '@vigil', 'sdk', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(Object.keys(installed.dependencies ?? {})).toEqual(['zod']);

    // CommonJS: require() of the ES module (Node >= 20.19), as the SDK's README says.
    const { stdout: cjs } = await run(process.execPath, ['-e', "console.log(typeof require('@vigil/sdk').VigilClient)"], { cwd: user, env: outsideEnv() });
    expect(cjs.trim()).toBe('function');

    // Types: the repository's tsc against the installed package, as a user with @types/node would run it.
    const tscArgs = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'false'];
    const typeRoots = ['--typeRoots', join(REPO_ROOT, 'node_modules', '@types'), '--types', 'node'];
    writeFileSync(join(user, 'typed-agent.ts'), TYPED_AGENT);
    await run(process.execPath, [TSC, ...tscArgs, ...typeRoots, 'typed-agent.ts'], { cwd: user, env: outsideEnv() });
    writeFileSync(join(user, 'mistyped-agent.ts'), MISTYPED_AGENT);
    const refused = await run(process.execPath, [TSC, ...tscArgs, ...typeRoots, 'mistyped-agent.ts'], { cwd: user, env: outsideEnv() }).then(
      () => null,
      (err: { stdout?: string }) => err.stdout ?? '',
    );
    expect(refused, 'a wrong call must not type-check').toMatch(/mistyped-agent\.ts.*error TS2322/s);

    const up = await startVigilUp(cleanup, { dataDir: tempDataDir(cleanup, 'vigil-e2e-pack'), args: ['--api-key', 'pack-e2e-key', '--degraded-after', '3s', '--unreachable-after', '6s'] });
    const api = new ApiClient(up.url, up.apiKey);
    writeFileSync(join(user, 'agent.mjs'), AGENT);
    const agent = new SpawnedProcess(process.execPath, ['agent.mjs'], { cwd: user, env: { ...outsideEnv(), VIGIL_URL: up.url, VIGIL_API_KEY: up.apiKey } });
    cleanup.defer(`packed agent (pid ${agent.pid})`, () => agent.destroy());
    await agent.waitForStdout(/"event":"beat"/, SETTLE_MS);
    const seen = await waitUntil('the packed agent to be healthy with its metrics', () => api.agent('packed-agent'), (a) => a?.status === 'healthy' && (a.progress?.completed ?? 0) > 0 && a.eventLoopDelayMs != null, {
      timeoutMs: SETTLE_MS,
    });
    expect(seen).toMatchObject({ deliverable: true, labels: { from: 'tarball' }, intervalSeconds: 1 });
    expect(seen?.eventLoopDelayMs).toEqual({ p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) });

    agent.signal('SIGTERM');
    await agent.waitForStdout(/"event":"stopped"/, SETTLE_MS);
    await waitUntil('the packed agent to be stopped', () => api.agent('packed-agent'), (a) => a?.status === 'stopped', { timeoutMs: SETTLE_MS });
    expect(agent.stdout).not.toContain('"event":"error"');
  });
});
