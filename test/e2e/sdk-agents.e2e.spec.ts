/**
 * Real agent processes using `@vigil/sdk` against a real `vigil up`: one crashes (SIGKILL), one freezes (SIGSTOP),
 * one shuts down gracefully (SIGTERM → `stop()` → goodbye). Watched through the HTTP API until the transitions arrive.
 */
import type { AgentView } from '@vigil/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.ts';
import { Cleanup } from './support/cleanup.ts';
import { isAlive, isStopped } from './support/process-table.ts';
import { startSdkAgent } from './support/sdk-agent-process.ts';
import { tempDataDir } from './support/temp-dir.ts';
import { plusMs, steps } from './support/transitions.ts';
import { startVigilUp } from './support/vigil-up.ts';
import { waitUntil } from './support/wait-for.ts';

const DEGRADED_AFTER_MS = 2000;
const UNREACHABLE_AFTER_MS = 4000;
const FLAGS = ['--api-key', 'sdk-e2e-key', '--degraded-after', '2s', '--unreachable-after', '4s', '--window', '500ms'];
/** Bound on any wait for the platform to reach a state: generous for a loaded 2-core machine. */
const SETTLE_MS = 30_000;
/** The SDK's `stop()` sends a last beat and the goodbye, then the agent exits; well within this. */
const GRACEFUL_EXIT_MS = 15_000;

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(async () => {
  await cleanup.run();
});

describe('agents using the SDK', () => {
  it('are convicted degraded then unreachable when crashed or frozen, and stopped (never degraded) after a graceful shutdown', async () => {
    const up = await startVigilUp(cleanup, { dataDir: tempDataDir(cleanup, 'vigil-e2e-sdk'), args: FLAGS });
    const api = new ApiClient(up.url, up.apiKey);
    const options = { url: up.url, apiKey: up.apiKey };
    const [crashing, frozen, graceful] = await Promise.all(['crashing', 'frozen', 'graceful'].map((agentId) => startSdkAgent(cleanup, { ...options, agentId })));
    await waitUntil(
      'the three agents to be healthy',
      () => api.agents(),
      (agents) => agents.length === 3 && agents.every((a) => a.status === 'healthy'),
      { timeoutMs: SETTLE_MS },
    );

    // The three at once, so the crashed and frozen ones are convicted while the graceful one's goodbye is recent.
    graceful!.signal('SIGTERM');
    crashing!.signal('SIGKILL');
    frozen!.signal('SIGSTOP');
    expect(await graceful!.waitForExit(GRACEFUL_EXIT_MS)).toEqual({ code: 0, signal: null });
    expect(graceful!.stdout).toContain('"event":"stopped"');
    await crashing!.waitForExit(GRACEFUL_EXIT_MS);

    const agents = await waitUntil(
      'crashing and frozen unreachable, graceful stopped',
      () => api.agents(),
      (list) => {
        const status = (id: string): string | undefined => list.find((a) => a.agentId === id)?.status;
        return status('crashing') === 'unreachable' && status('frozen') === 'unreachable' && status('graceful') === 'stopped';
      },
      { timeoutMs: SETTLE_MS },
    );
    expect(isStopped(frozen!.pid), 'the frozen agent is alive but stopped, not dead').toBe(true);
    expect(isAlive(crashing!.pid)).toBe(false);
    expect(await api.summary()).toMatchObject({ total: 3, unreachable: 2, stopped: 1, degraded: 0, deliverable: 0 });

    const byId = new Map<string, AgentView>(agents.map((a) => [a.agentId, a]));
    for (const id of ['crashing', 'frozen']) {
      const transitions = await api.transitionsOf(id);
      expect(steps(transitions), id).toEqual(['unknown->healthy', 'healthy->degraded', 'degraded->unreachable']);
      const lastBeat = byId.get(id)!.lastHeartbeatAt!;
      expect(transitions[1]!.at, id).toBe(plusMs(lastBeat, DEGRADED_AFTER_MS));
      expect(transitions[2]!.at, id).toBe(plusMs(lastBeat, UNREACHABLE_AFTER_MS));
      expect(byId.get(id), id).toMatchObject({ deliverable: false, host: expect.any(String), labels: { suite: 'e2e' } });
    }

    // A witness beaten now (after the goodbye) turning degraded shows, in the platform's own time, that more than
    // `degradedAfter` has passed since the goodbye: long enough for a wrongful `stopped -> degraded` to have shown.
    await api.heartbeat('witness');
    await waitUntil('the witness to turn degraded', () => api.agent('witness'), (a) => a?.status === 'degraded', { timeoutMs: SETTLE_MS });
    const gracefulTransitions = await api.transitionsOf('graceful');
    expect(steps(gracefulTransitions)).toEqual(['unknown->healthy', 'healthy->stopped']);
    expect(gracefulTransitions[1]!.reason).toContain('e2e: graceful shutdown');
    expect(await api.agent('graceful')).toMatchObject({ status: 'stopped', deliverable: false, lastHeartbeatAt: byId.get('graceful')!.lastHeartbeatAt });
  });
});
