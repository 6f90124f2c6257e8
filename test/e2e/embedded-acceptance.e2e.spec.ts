/**
 * The acceptance of embedded mode, run against real `vigil up` processes: exact conviction times, refusal of bad
 * input without side effects, durability across SIGTERM and SIGKILL, and kill/resume through the API and the CLI.
 */
import type { AgentView, FleetSummary, Page, TransitionView } from '@vigil/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.ts';
import { startBeatLoop } from './support/beat-loop.ts';
import { Cleanup } from './support/cleanup.ts';
import { flushPipeline } from './support/pipeline-flush.ts';
import { tempDataDir } from './support/temp-dir.ts';
import { ISO_MS, plusMs, steps } from './support/transitions.ts';
import { runVigilCli } from './support/vigil-cli.ts';
import { startVigilUp, type VigilUp } from './support/vigil-up.ts';
import { waitUntil } from './support/wait-for.ts';

const API_KEY = 'k1-test-key';
/** `up`'s default, passed explicitly because the pipeline flush picks one probe agent per partition. */
const PARTITIONS = 4;
/** The command line: degraded after 2 s of silence, unreachable after 5 s, 500 ms windows. */
const ACCEPTANCE_FLAGS = ['--api-key', API_KEY, '--degraded-after', '2s', '--unreachable-after', '5s', '--window', '500ms', '--partitions', String(PARTITIONS)];
/** Bound on any wait for the platform to reach a state: generous for a loaded 2-core machine, never unbounded. */
const SETTLE_MS = 30_000;
/** A graceful stop drains and commits; it must not take longer than this. */
const GRACEFUL_EXIT_MS = 15_000;

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(async () => {
  await cleanup.run();
});

async function startPlatform(dataDir: string): Promise<{ up: VigilUp; api: ApiClient }> {
  const up = await startVigilUp(cleanup, { dataDir, args: ACCEPTANCE_FLAGS });
  return { up, api: new ApiClient(up.url, API_KEY) };
}

/** Polls until every listed agent has the given status; returns the agents then. */
async function waitForStatuses(api: ApiClient, expected: Record<string, string>): Promise<AgentView[]> {
  return waitUntil(
    `statuses ${JSON.stringify(expected)}`,
    () => api.agents(),
    (agents) => Object.entries(expected).every(([id, status]) => agents.find((a) => a.agentId === id)?.status === status),
    { timeoutMs: SETTLE_MS },
  );
}

/** Everything an operator can read about the tenant. */
interface FleetState {
  readonly agents: AgentView[];
  readonly transitions: TransitionView[];
  readonly summary: FleetSummary;
}

async function fleetState(api: ApiClient): Promise<FleetState> {
  const agents = (await api.agents()).sort((a, b) => a.agentId.localeCompare(b.agentId));
  return { agents, transitions: await api.transitions(), summary: await api.summary() };
}

/** The agents and transitions of `state` that belong to `agentIds`. */
function only(state: FleetState, agentIds: readonly string[]): Omit<FleetState, 'summary'> {
  return { agents: state.agents.filter((a) => agentIds.includes(a.agentId)), transitions: state.transitions.filter((t) => agentIds.includes(t.agentId)) };
}

function transitionCounts(transitions: readonly TransitionView[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of transitions) counts[t.agentId] = (counts[t.agentId] ?? 0) + 1;
  return counts;
}

/** The fleet summary an agent list implies. */
function summaryOf(agents: readonly AgentView[]): Omit<FleetSummary, 'tenant' | 'flapping'> {
  const count = (status: string): number => agents.filter((a) => a.status === status).length;
  return {
    total: agents.length,
    healthy: count('healthy'),
    degraded: count('degraded'),
    unreachable: count('unreachable'),
    killed: count('killed'),
    stopped: count('stopped'),
    stalled: count('stalled'),
    deliverable: agents.filter((a) => a.deliverable).length,
  };
}

/** No transition is served twice, under its id or (re-emitted with another id) under its content. */
function expectNoDuplicates(transitions: readonly TransitionView[]): void {
  const ids = transitions.map((t) => t.id);
  expect(new Set(ids).size, 'transition ids are unique').toBe(ids.length);
  const contents = transitions.map((t) => `${t.agentId} ${t.from}->${t.to} @${t.at}`);
  expect(new Set(contents).size, 'no transition is emitted twice').toBe(contents.length);
}

describe('vigil up (embedded mode), acceptance', () => {
  it('marks a silent agent degraded exactly 2 s and unreachable exactly 5 s after its last heartbeat', async () => {
    const { api } = await startPlatform(tempDataDir(cleanup, 'vigil-e2e-acceptance'));
    for (let beat = 0; beat < 3; beat++) {
      // Paced like an agent with a 1 s interval would, only faster; the pause decides nothing.
      if (beat > 0) await new Promise((resolve) => setTimeout(resolve, 300));
      const answer = await api.heartbeat('a1');
      expect(answer).toMatchObject({ accepted: 1, agents: [{ agentId: 'a1', killed: false }] });
    }

    const agent = (await waitForStatuses(api, { a1: 'unreachable' })).find((a) => a.agentId === 'a1')!;
    const transitions = await api.transitionsOf('a1');
    expect(steps(transitions)).toEqual(['unknown->healthy', 'healthy->degraded', 'degraded->unreachable']);
    const [healthy, degraded, unreachable] = transitions as [TransitionView, TransitionView, TransitionView];
    const lastBeat = agent.lastHeartbeatAt!;
    // Boundaries are exact: crossed at last beat + threshold, to the millisecond; noticed at a later window close.
    expect(healthy.at).toBe(agent.registeredAt);
    expect(degraded.at).toBe(plusMs(lastBeat, 2000));
    expect(unreachable.at).toBe(plusMs(lastBeat, 5000));
    for (const t of transitions) {
      expect(Date.parse(t.detectedAt)).toBeGreaterThanOrEqual(Date.parse(t.at));
      for (const time of [t.at, t.detectedAt, t.lastHeartbeatAt]) expect(time).toMatch(ISO_MS);
    }
    expect(degraded.lastHeartbeatAt).toBe(lastBeat);
    expect(unreachable.lastHeartbeatAt).toBe(lastBeat);
    // "Within 6 s of the last beat", on the platform's own clock: the window close that convicted it. The poll
    // above has a longer deadline on purpose: the test's wall clock would measure this machine's load, not Vigil.
    expect(Date.parse(unreachable.detectedAt) - Date.parse(lastBeat)).toBeLessThanOrEqual(6000);

    expect(agent).toMatchObject({ status: 'unreachable', statusSince: unreachable.at, deliverable: false });
    for (const time of [agent.statusSince, agent.lastHeartbeatAt, agent.registeredAt]) expect(time).toMatch(ISO_MS);
    for (const path of ['/v1/agents', '/v1/agents/a1/transitions', '/v1/transitions', '/v1/agents?deliverable=true']) {
      expect(Object.keys(await api.get<Page<unknown>>(path)).sort(), path).toEqual(['items', 'nextCursor']);
    }
    expect((await api.get<Page<AgentView>>('/v1/agents?deliverable=true')).items).toEqual([]);
    expect(await api.summary()).toEqual({
      tenant: 'default',
      total: 1,
      healthy: 0,
      degraded: 0,
      unreachable: 1,
      killed: 0,
      stopped: 0,
      stalled: 0,
      deliverable: 0,
      flapping: 0,
    });
  });

  it('refuses malformed, incomplete, mistyped, oversized and unauthenticated heartbeats with a JSON error naming the problem, changing nothing', async () => {
    const { api } = await startPlatform(tempDataDir(cleanup, 'vigil-e2e-bad-input'));
    await api.heartbeat('a1');
    await waitForStatuses(api, { a1: 'unreachable' }); // a state no clock changes any more
    const before = await fleetState(api);
    const acceptedBefore = await api.metricLines('vigil_heartbeats_accepted_total');
    expect(acceptedBefore).toEqual(['vigil_heartbeats_accepted_total 1']);

    const valid = { agentId: 'a1', intervalSeconds: 1 };
    // Valid in every way but size, so only the limit can refuse it: 1000 beats with long labels, over 1 MiB.
    const oversized = JSON.stringify({
      heartbeats: Array.from({ length: 1000 }, () => ({ ...valid, labels: Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((k) => [k, 'x'.repeat(256)])) })),
    });
    expect(oversized.length).toBeGreaterThan(1024 * 1024);
    const cases = [
      { name: 'malformed JSON', request: { rawBody: '{"agentId": "a1",' }, status: 400, code: 'VIGIL_ERR_MALFORMED_JSON', message: /JSON/ },
      { name: 'missing agentId', body: { intervalSeconds: 1 }, status: 400, code: 'VIGIL_ERR_VALIDATION', field: 'agentId', message: /agentId/ },
      { name: 'mistyped intervalSeconds', body: { ...valid, intervalSeconds: 'x' }, status: 400, code: 'VIGIL_ERR_VALIDATION', field: 'intervalSeconds', message: /intervalSeconds.*number/ },
      { name: 'batch with one bad beat', body: { heartbeats: [valid, { ...valid, seq: -1 }] }, status: 400, code: 'VIGIL_ERR_VALIDATION', field: 'heartbeats.1.seq', message: /seq/ },
      // Over the writer thread's share (WRITER_THREAD_BODY_MAX_CHARS): parsed on the HTTP thread, refused the same way.
      { name: 'large batch with one bad beat', body: { heartbeats: Array.from({ length: 200 }, (_, i) => (i === 150 ? { ...valid, seq: 'x' } : { ...valid, seq: i })) }, status: 400, code: 'VIGIL_ERR_VALIDATION', field: 'heartbeats.150.seq', message: /seq/ },
      { name: 'large malformed JSON', request: { rawBody: `{"heartbeats": [${Array.from({ length: 200 }, () => JSON.stringify(valid)).join(',')}` }, status: 400, code: 'VIGIL_ERR_MALFORMED_JSON', message: /JSON/ },
      { name: 'prototype key', request: { rawBody: '{"agentId": "a1", "__proto__": {"admin": true}}' }, status: 400, code: 'VIGIL_ERR_MALFORMED_JSON', message: /JSON/ },
      { name: 'empty JSON body', request: { rawBody: '' }, status: 400, code: 'VIGIL_ERR_MALFORMED_JSON', message: /empty/ },
      { name: 'body over 1 MiB', request: { rawBody: oversized }, status: 413, code: 'VIGIL_ERR_BODY_TOO_LARGE', message: /larger than the limit/ },
      { name: 'missing API key', body: valid, request: { apiKey: null }, status: 401, code: 'VIGIL_ERR_UNAUTHORIZED', field: 'authorization', message: /Authorization header is missing/ },
      { name: 'wrong API key', body: valid, request: { apiKey: 'not-the-key' }, status: 401, code: 'VIGIL_ERR_UNAUTHORIZED', field: 'authorization', message: /not known/ },
    ];
    for (const c of cases) {
      const response = await api.request<{ error: Record<string, unknown> }>('POST', '/v1/heartbeats', c.body, c.request);
      expect(response.status, c.name).toBe(c.status);
      expect(response.contentType, c.name).toMatch(/^application\/json/);
      expect(Object.keys(response.body), c.name).toEqual(['error']);
      const { code, message, field, ...rest } = response.body.error;
      expect(rest, `${c.name}: only code, message and field`).toEqual({});
      expect(code, c.name).toBe(c.code);
      expect(message, c.name).toMatch(c.message);
      expect(field, c.name).toBe(c.field);
    }

    // The counter moves before the answer is sent, so it can be read at once.
    expect(await api.metricLines('vigil_heartbeats_accepted_total')).toEqual(acceptedBefore);
    // The read model is asynchronous: flush the pipeline, so a beat wrongly let through would now be visible.
    const probes = await flushPipeline(api, 'probe', PARTITIONS, SETTLE_MS);
    const after = await fleetState(api);
    const agentIds = before.agents.map((a) => a.agentId);
    expect(only(after, agentIds)).toEqual(only(before, agentIds));
    expect(after.agents.map((a) => a.agentId).sort()).toEqual([...agentIds, ...probes].sort());
    expect(after.summary).toEqual({ ...before.summary, total: before.summary.total + probes.length, stopped: before.summary.stopped + probes.length });
  });

  it("reports on /metrics how busy each of its threads is: the HTTP thread and the writer thread, both moving under load", async () => {
    const { api } = await startPlatform(tempDataDir(cleanup, 'vigil-e2e-thread-busy'));
    const busy = async (): Promise<Map<string, number>> =>
      new Map((await api.metricLines('vigil_thread_busy_seconds_total')).map((line) => {
        const match = /^vigil_thread_busy_seconds_total\{thread="(\w+)"\} (\S+)$/.exec(line);
        if (match === null) throw new Error(`unexpected line: ${line}`);
        return [match[1]!, Number(match[2])];
      }));
    const before = await busy();
    expect([...before.keys()].sort()).toEqual(['http', 'writer']);
    for (let i = 0; i < 20; i++) await api.post('/v1/heartbeats', { heartbeats: Array.from({ length: 100 }, (_, n) => ({ agentId: `busy-${n}` })) });
    await waitUntil('the last beat folded by the writer thread', () => api.agent('busy-99'), (a) => a !== null, { timeoutMs: SETTLE_MS });
    const after = await busy();
    expect(after.get('http')).toBeGreaterThan(before.get('http')!);
    expect(after.get('writer')).toBeGreaterThan(before.get('writer')!);
  });

  it('keeps every agent, status and transition across SIGTERM and SIGKILL restarts, emitting nothing twice', async () => {
    const dataDir = tempDataDir(cleanup, 'vigil-e2e-durability');
    let { up, api } = await startPlatform(dataDir);
    // Three agents in three lasting states: unreachable (silence), killed (operator), stopped (goodbye).
    await api.post('/v1/heartbeats', { heartbeats: ['a1', 'a2', 'a3'].map((agentId) => ({ agentId, intervalSeconds: 1 })) });
    await waitForStatuses(api, { a2: 'healthy', a3: 'healthy' }); // kill needs an agent the read model knows
    await api.post('/v1/agents/a2/kill', { reason: 'durability test' });
    await api.post('/v1/agents/a3/goodbye', { reason: 'durability test' });
    await waitForStatuses(api, { a1: 'unreachable', a2: 'killed', a3: 'stopped' });
    const settled = await fleetState(api);
    expect(summaryOf(settled.agents)).toMatchObject({ total: 3, unreachable: 1, killed: 1, stopped: 1 });

    // Graceful stop: drains, commits and exits 0; the restart serves the same state, before and after recovery.
    up.process.signal('SIGTERM');
    expect(await up.process.waitForExit(GRACEFUL_EXIT_MS)).toEqual({ code: 0, signal: null });
    ({ up, api } = await startPlatform(dataDir));
    expect(await fleetState(api)).toEqual(settled);
    const probesAfterTerm = await flushPipeline(api, 'after-sigterm', PARTITIONS, SETTLE_MS);
    const afterTerm = await fleetState(api);
    const settledIds = settled.agents.map((a) => a.agentId);
    expect(only(afterTerm, settledIds)).toEqual(only(settled, settledIds));

    // Crash: SIGKILL just after a4's beats were accepted, with its detection and projection most likely in flight.
    for (let beat = 0; beat < 3; beat++) await api.heartbeat('a4');
    up.process.signal('SIGKILL');
    expect(await up.process.waitForExit(GRACEFUL_EXIT_MS)).toEqual({ code: null, signal: 'SIGKILL' });
    ({ up, api } = await startPlatform(dataDir));
    const stableIds = [...settledIds, ...probesAfterTerm];
    expect(only(await fleetState(api), stableIds)).toEqual(only(afterTerm, stableIds));
    // Accepted before the crash means kept: a4 is convicted after the restart, each step exactly once.
    await waitForStatuses(api, { a4: 'unreachable' });
    await flushPipeline(api, 'after-sigkill', PARTITIONS, SETTLE_MS);
    const afterKill = await fleetState(api);
    expect(only(afterKill, stableIds)).toEqual(only(afterTerm, stableIds));
    expect(steps(await api.transitionsOf('a4'))).toEqual(['unknown->healthy', 'healthy->degraded', 'degraded->unreachable']);

    // Paged with the cursor, no transition shows up twice, and none of the earlier ones is lost or re-emitted.
    expectNoDuplicates(afterKill.transitions);
    const afterKillIds = new Set(afterKill.transitions.map((t) => t.id));
    for (const t of afterTerm.transitions) expect(afterKillIds.has(t.id), `${t.agentId} ${t.from}->${t.to} kept`).toBe(true);
    const counts = transitionCounts(afterKill.transitions);
    for (const [agentId, count] of Object.entries(transitionCounts(afterTerm.transitions))) expect(counts[agentId], agentId).toBe(count);
    expect(afterKill.summary).toMatchObject(summaryOf(afterKill.agents));
    // The restarted HTTP thread's memory of statuses starts empty: a2's beat is answered from the file, still killed.
    expect(await api.heartbeat('a2')).toMatchObject({ agents: [{ agentId: 'a2', killed: true, status: 'killed' }] });
  });

  it('kills and resumes agents through the CLI and the API; a resumed agent takes the status its beats justify', async () => {
    const { up, api } = await startPlatform(tempDataDir(cleanup, 'vigil-e2e-kill'));
    const cli = (...args: string[]) => runVigilCli([...args, '--url', up.url, '--api-key', API_KEY]);
    // a1 keeps beating; a2 beats once then falls silent, like `witness`, which is never killed and shows the clock.
    const a1 = startBeatLoop(cleanup, api, 'a1', 500);
    await api.post('/v1/heartbeats', { heartbeats: ['a2', 'witness'].map((agentId) => ({ agentId, intervalSeconds: 1 })) });
    await waitForStatuses(api, { a1: 'healthy', a2: 'healthy' });
    await api.post('/v1/agents/a2/kill', { reason: 'test' });
    const kill = await cli('kill', 'a1', '--reason', 'test');
    expect(kill).toMatchObject({ code: 0, stdout: expect.stringContaining('Kill of a1 accepted') });
    await waitForStatuses(api, { a1: 'killed', a2: 'killed' });

    const shown = await cli('agent', 'a1', '--json');
    expect(shown.code, shown.stderr).toBe(0);
    const { agent, transitions } = JSON.parse(shown.stdout) as { agent: AgentView; transitions: TransitionView[] };
    expect(agent).toMatchObject({ agentId: 'a1', status: 'killed', deliverable: false, killed: { reason: 'test' } });
    expect(transitions[0]).toMatchObject({ from: 'healthy', to: 'killed' });
    // The agent learns it from the answer to its beats, and beating does not bring it back.
    expect(await api.heartbeat('a1')).toMatchObject({ agents: [{ agentId: 'a1', killed: true, status: 'killed' }] });
    await waitUntil('a1 beats to be seen while killed', () => api.agent('a1'), (a) => Date.parse(a?.lastHeartbeatAt ?? '') > Date.parse(agent.statusSince) + 1000, { timeoutMs: SETTLE_MS });

    // witness (beaten after a2) unreachable: a2's silence is past the threshold too, in the platform's own time.
    await waitForStatuses(api, { witness: 'unreachable', a1: 'killed', a2: 'killed' });
    const resume = await cli('resume', 'a1');
    expect(resume).toMatchObject({ code: 0, stdout: expect.stringContaining('Resume of a1 accepted') });
    await api.post('/v1/agents/a2/resume', {});
    await waitForStatuses(api, { a1: 'healthy', a2: 'unreachable' });
    await waitUntil('a beat answer that says a1 is no longer killed', async () => a1.last, (last) => last?.agents[0]?.killed === false, { timeoutMs: SETTLE_MS });
    // Those answers came from memory, kept current by the writer thread's commits (kill, then resume), not from reads.
    const lookups = Object.fromEntries((await api.metricLines('vigil_agent_status_lookups_total')).map((line) => [/result="(\w+)"/.exec(line)?.[1], Number(line.split(' ').at(-1))]));
    expect(lookups.hit).toBeGreaterThan(lookups.miss!);

    // a1 still beats here, so nothing but the kill and the resume can have moved it.
    expect(steps(await api.transitionsOf('a1'))).toEqual(['unknown->healthy', 'healthy->killed', 'killed->healthy']);
    expect(steps(await api.transitionsOf('a2')).slice(-2)).toEqual([expect.stringMatching(/->killed$/), 'killed->unreachable']);
    const resumed = await cli('agent', 'a1', '--json');
    expect(JSON.parse(resumed.stdout)).toMatchObject({ agent: { status: 'healthy', killed: null, deliverable: true } });
    await a1.stop();
  });
});
