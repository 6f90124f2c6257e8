/**
 * Forgetting and retention in embedded mode, against real `vigil up` processes started with a hook that makes
 * `@eventstore/db-client` unresolvable (so every run also proves `vigil up` never loads the EventStoreDB stack):
 * DELETE /v1/agents/:id and `vigil forget` remove an agent (read model, history, counts), it comes back as new when it
 * beats again, the forgetting survives a crash (SIGKILL), and a tenant retention forgets stopped and unreachable agents.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HistoryEntry, Page } from '@vigil/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.ts';
import { startBeatLoop } from './support/beat-loop.ts';
import { Cleanup } from './support/cleanup.ts';
import { REPO_ROOT } from './support/repo-root.ts';
import { tempDataDir } from './support/temp-dir.ts';
import { steps } from './support/transitions.ts';
import { runVigilCli } from './support/vigil-cli.ts';
import { startVigilUp, type VigilUp } from './support/vigil-up.ts';
import { waitUntil } from './support/wait-for.ts';

const API_KEY = 'k1-forget-key';
const FLAGS = ['--api-key', API_KEY, '--degraded-after', '2s', '--unreachable-after', '4s', '--window', '500ms'];
const DENY_HOOK = fileURLToPath(new URL('./support/deny-eventstore-client.mjs', import.meta.url));
const SETTLE_MS = 30_000;

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(async () => {
  await cleanup.run();
});

async function start(dataDir: string, extraArgs: readonly string[] = []): Promise<{ up: VigilUp; api: ApiClient }> {
  const up = await startVigilUp(cleanup, { dataDir, args: [...FLAGS, ...extraArgs], nodeArgs: ['--import', DENY_HOOK] });
  return { up, api: new ApiClient(up.url, API_KEY) };
}

async function call(up: VigilUp, method: 'DELETE' | 'PUT' | 'GET', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${up.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

const gone = (api: ApiClient, agentId: string) => waitUntil(`${agentId} forgotten`, () => api.agent(agentId), (a) => a === null, { timeoutMs: SETTLE_MS });
const status = (api: ApiClient, agentId: string, s: string) => waitUntil(`${agentId} ${s}`, () => api.agent(agentId), (a) => a?.status === s, { timeoutMs: SETTLE_MS });

describe('forgetting in embedded mode (vigil up)', () => {
  it('the deny hook really refuses the EventStoreDB client, so a vigil up that runs under it never loaded it', async () => {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', '--import', DENY_HOOK, '-e', "await import('@vigil/store/eventstoredb')"], { cwd: REPO_ROOT, timeout: 60_000 }, (err, _out, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stderr }),
      );
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('DENIED: @eventstore/db-client');
  });

  it('forgets on DELETE and vigil forget, takes a returning agent back as new, and keeps it forgotten across a crash', async () => {
    const dataDir = tempDataDir(cleanup, 'vigil-e2e-forget');
    let { up, api } = await start(dataDir);
    const beats = startBeatLoop(cleanup, api, 'keeper', 500);
    await api.post('/v1/heartbeats', { heartbeats: ['a1', 'a2'].map((agentId) => ({ agentId, intervalSeconds: 1 })) });
    await status(api, 'a1', 'healthy');
    await status(api, 'a2', 'healthy');
    await waitUntil('a1 history', () => call(up, 'GET', '/v1/agents/a1/history'), (r) => (r.body as Page<HistoryEntry>).items.length >= 2, { timeoutMs: SETTLE_MS });

    const deleted = await call(up, 'DELETE', '/v1/agents/a1', { reason: 'decommissioned' });
    expect(deleted).toMatchObject({ status: 202, body: { accepted: true, agentId: 'a1' } });
    await gone(api, 'a1');
    expect((await call(up, 'GET', '/v1/agents/a1/history')).status).toBe(404);
    expect((await api.transitions()).some((t) => t.agentId === 'a1')).toBe(false);
    expect((await call(up, 'DELETE', '/v1/agents/a1')).status).toBe(404);

    const cli = await runVigilCli(['forget', 'a2', '--url', up.url, '--api-key', API_KEY, '--reason', 'test']);
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stdout).toContain('Forgetting a2');
    await gone(api, 'a2');
    await waitUntil('summary without a1, a2', () => api.summary(), (s) => s.total === 1, { timeoutMs: SETTLE_MS });

    // a1 beats again: a new agent, one first transition, never its old history.
    await api.heartbeat('a1');
    const back = await waitUntil('a1 back', () => api.agent('a1'), (a) => a !== null, { timeoutMs: SETTLE_MS });
    expect(back?.restarts).toBe(0);
    // The beat's row is folded at once; the detector's first transition only at its next window tick.
    const first = await waitUntil('a1 first transition', () => api.transitionsOf('a1'), (t) => t.length > 0, { timeoutMs: SETTLE_MS });
    expect(steps(first)).toEqual(['unknown->healthy']);

    // A crash (SIGKILL) after the forgetting: the restarted detector restores from its changelog, where a2 is a
    // tombstone, and the read model from its checkpoints; nothing of a2 comes back, nothing of a1 is emitted twice.
    await beats.stop();
    up.process.signal('SIGKILL');
    expect(await up.process.waitForExit(15_000)).toEqual({ code: null, signal: 'SIGKILL' });
    ({ up, api } = await start(dataDir));
    await status(api, 'a1', 'unreachable'); // the restarted detector knows a1's new life, and only that
    expect(await api.agent('a2')).toBeNull();
    expect(steps(await api.transitionsOf('a1'))).toEqual(['unknown->healthy', 'healthy->degraded', 'degraded->unreachable']);
    expect((await api.transitions()).some((t) => t.agentId === 'a2')).toBe(false);
  }, 180_000);

  it('forgets stopped and unreachable agents after the tenant retention, never a beating one', async () => {
    const { up, api } = await start(tempDataDir(cleanup, 'vigil-e2e-retention'));
    const set = await call(up, 'PUT', '/v1/retention', { forgetAfter: '3s' });
    expect(set).toMatchObject({ status: 202, body: { accepted: true } });
    expect((await call(up, 'PUT', '/v1/retention', { forgetAfter: 'soon' })).status).toBe(400);
    startBeatLoop(cleanup, api, 'b3', 500);
    await api.post('/v1/heartbeats', { heartbeats: ['b1', 'b2'].map((agentId) => ({ agentId, intervalSeconds: 1 })) });
    await status(api, 'b1', 'healthy');
    await api.post('/v1/agents/b1/goodbye', {});
    await status(api, 'b1', 'stopped');
    await gone(api, 'b1');
    await gone(api, 'b2'); // silent: unreachable after 4 s, forgotten 3 s later
    expect((await api.agent('b3'))?.status).toBe('healthy');

    const history = await runVigilCli(['agent', 'b3', '--history', '--url', up.url, '--api-key', API_KEY]);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^REV +AT +TYPE +WHAT\n/);
    expect(history.stdout).toContain('unknown -> healthy');
  }, 180_000);

  it('vigil retention shows the platform default, sets the tenant its own, restores the default, and shows no other tenant its setting', async () => {
    const { up, api } = await start(tempDataDir(cleanup, 'vigil-e2e-retention-cli'), ['--forget-after', '5d']);
    const vigil = (key: string, ...args: string[]) => runVigilCli(['retention', ...args, '--url', up.url, '--api-key', key]);
    const shown = async (key: string) => JSON.parse((await vigil(key, '--json')).stdout) as unknown;
    const keyOf = async (tenant: string, role: string) => (await api.request<{ key: string }>('POST', '/v1/keys', { tenant, role })).body.key;
    const globex = await keyOf('globex', 'operator');
    const agentKey = await keyOf('default', 'agent');

    const first = await vigil(API_KEY);
    expect(first).toMatchObject({ code: 0, stdout: 'Retention: agents stopped or unreachable for 5d are forgotten (the platform default).\n' });
    expect(await shown(API_KEY)).toEqual({ forgetAfter: '5d', forgetAfterMs: 5 * 86_400_000, source: 'platform' });

    const set = await vigil(API_KEY, 'set', '36h');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Retention set: agents stopped or unreachable for 36h are forgotten');
    await waitUntil('the tenant retention applied', () => shown(API_KEY), (r) => (r as { source: string }).source === 'tenant', { timeoutMs: SETTLE_MS });
    expect(await shown(API_KEY)).toEqual({ forgetAfter: '36h', forgetAfterMs: 36 * 3_600_000, source: 'tenant' });
    expect(await shown(globex)).toEqual({ forgetAfter: '5d', forgetAfterMs: 5 * 86_400_000, source: 'platform' });

    const denied = await vigil(agentKey);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('VIGIL_ERR_FORBIDDEN');
    const usage = await vigil(API_KEY, 'set');
    expect(usage.code).toBe(2);

    expect((await vigil(API_KEY, 'set', '--default')).code).toBe(0);
    await waitUntil('the platform default back', () => shown(API_KEY), (r) => (r as { source: string }).source === 'platform', { timeoutMs: SETTLE_MS });
    expect(await shown(API_KEY)).toEqual({ forgetAfter: '5d', forgetAfterMs: 5 * 86_400_000, source: 'platform' });
    const help = await runVigilCli(['retention', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('vigil retention set <duration>');
  }, 180_000);
});
