/**
 * `vigil up --demo`, what `npm start` runs: a newcomer sees every status within a minute, is told where to look,
 * and Ctrl-C (SIGTERM here) leaves nothing running.
 */
import type { AgentView } from '@vigil/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.ts';
import { Cleanup } from './support/cleanup.ts';
import { childPids, isAlive } from './support/process-table.ts';
import { tempDataDir } from './support/temp-dir.ts';
import { steps } from './support/transitions.ts';
import { startVigilUp } from './support/vigil-up.ts';
import { waitUntil } from './support/wait-for.ts';

/** The promise to a newcomer: every status shows within a minute of the start. */
const DEMO_MS = 60_000;
/** A graceful stop (agents say goodbye, the platform drains and commits) must end within this. */
const GRACEFUL_EXIT_MS = 15_000;
const DEMO_AGENT_SCRIPT = 'demo-agent.ts';

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(async () => {
  await cleanup.run();
});

describe('vigil up --demo', () => {
  it('shows healthy, degraded, unreachable and killed agents within a minute, says where to look, and stops cleanly on SIGTERM', async () => {
    const up = await startVigilUp(cleanup, { dataDir: tempDataDir(cleanup, 'vigil-e2e-demo'), args: ['--demo'] });
    const startedAt = Date.now();
    const api = new ApiClient(up.url, up.apiKey);

    // The agents are real child processes; note them while all four are alive (the crashing one dies at +10 s).
    const agents = await waitUntil('the four demo agents to report', () => api.agents(), (list) => list.length === 4, { timeoutMs: DEMO_MS });
    const demoPids = new Set(childPids(up.process.pid, DEMO_AGENT_SCRIPT));
    expect(agents.map((a) => a.agentId).sort()).toEqual(['crashing-agent', 'frozen-agent', 'rogue-agent', 'steady-agent']);

    const expected: Record<string, AgentView['status']> = {
      'steady-agent': 'healthy',
      'frozen-agent': 'unreachable',
      'crashing-agent': 'unreachable',
      'rogue-agent': 'killed',
    };
    const settled = await waitUntil(
      'every demo agent to reach its fate',
      () => api.agents(),
      (list) => Object.entries(expected).every(([id, status]) => list.find((a) => a.agentId === id)?.status === status),
      { timeoutMs: DEMO_MS - (Date.now() - startedAt) },
    );
    expect(settled.every((a) => a.labels['demo'] === 'true')).toBe(true);
    expect(steps(await api.transitionsOf('frozen-agent'))).toEqual(['unknown->healthy', 'healthy->degraded', 'degraded->unreachable']);
    expect(steps(await api.transitionsOf('crashing-agent'))).toEqual(['unknown->healthy', 'healthy->degraded', 'degraded->unreachable']);
    expect(steps(await api.transitionsOf('rogue-agent')).at(-1)).toBe('healthy->killed');
    expect(steps(await api.transitionsOf('steady-agent'))[0]).toBe('unknown->healthy');
    expect(await api.summary()).toMatchObject({ total: 4, healthy: 1, unreachable: 2, killed: 1, deliverable: 1 });

    // Where to look: the URL and key, commands to try, the cast, and each transition as it happens.
    // The demo prints from its own poll of the read model, so the last line may trail the API by a moment.
    await up.process.waitForStdout(/crashing-agent +degraded -> unreachable/, DEMO_MS);
    const stdout = up.process.stdout;
    for (const line of [
      `Vigil is up at ${up.url}`,
      `API key for tenant "default": ${up.apiKey}`,
      `${up.url}/v1/agents`,
      `${up.url}/v1/fleet/summary`,
      'npx vigil tail',
      '[demo] starting 4 agents',
    ]) {
      expect(stdout).toContain(line);
    }
    for (const id of Object.keys(expected)) expect(stdout).toMatch(new RegExp(`\\[demo\\] .*${id} +unknown -> healthy`));
    expect(stdout).toMatch(/frozen-agent +healthy -> degraded/);
    expect(stdout).toMatch(/rogue-agent +healthy -> killed/);

    // Ctrl-C: exit 0 in time, and no demo agent outlives the platform (frozen-agent included, though SIGSTOPped).
    for (const pid of childPids(up.process.pid, DEMO_AGENT_SCRIPT)) demoPids.add(pid);
    expect(demoPids.size).toBeGreaterThanOrEqual(3);
    up.process.signal('SIGTERM');
    expect(await up.process.waitForExit(GRACEFUL_EXIT_MS)).toEqual({ code: 0, signal: null });
    expect([...demoPids].filter(isAlive)).toEqual([]);
  });
});
