import type {
  AgentEvent,
  AgentView,
  AgentKilledEvent,
  AgentStatus,
  DetectorOutputEvent,
  FromStatus,
  HeartbeatData,
  HeartbeatEvent,
  MetricSummaryEvent,
  StatusTransitionedEvent,
} from '@vigil/contracts';
import { LatencySketch, MetricAccumulator } from '@vigil/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../errors.ts';
import type { AgentFilter } from '../read-model-port.ts';
import { SqliteReadModel } from './sqlite-read-model.ts';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const AGENT_TOPIC = 'vigil.agent-events';
const OUTPUT_TOPIC = 'vigil.status-transitions';

function beat(agentId: string, at: number, data: Partial<HeartbeatData> = {}, tenant = 'acme'): HeartbeatEvent {
  return {
    version: 1,
    id: `hb-${agentId}-${at}`,
    time: iso(at),
    tenant,
    agentId,
    type: 'heartbeat',
    data: { instanceId: 'i-1', intervalSeconds: 30, seq: 0, sentAt: iso(at), receivedAt: iso(at), ...data },
  };
}

function transition(agentId: string, from: FromStatus, to: AgentStatus, at: number, tenant = 'acme', reason = `${from} to ${to}`): StatusTransitionedEvent {
  return {
    version: 1,
    id: `tr-${tenant}-${agentId}-${from}-${to}-${at}`,
    time: iso(at),
    tenant,
    agentId,
    type: 'status-transitioned',
    data: { from, to, at: iso(at), detectedAt: iso(at + 1000), reason, lastHeartbeatAt: iso(at - 90_000) },
  };
}

function killed(agentId: string, at: number, by = 'ops@acme', reason = 'runaway costs'): AgentKilledEvent {
  return { version: 1, id: `kill-${agentId}-${at}`, time: iso(at), tenant: 'acme', agentId, type: 'agent-killed', data: { by, reason } };
}

describe('SqliteReadModel', () => {
  let rm: SqliteReadModel;
  const offsets = new Map<string, number>();

  /** Applies events as the next records of a topic's partition 0. */
  async function given(topic: string, ...events: (AgentEvent | DetectorOutputEvent)[]): Promise<void> {
    const next = (offsets.get(topic) ?? 0) + Math.max(1, events.length);
    offsets.set(topic, next);
    await rm.apply(events, { topic, partition: 0, nextOffset: next });
  }
  const beats = (...events: AgentEvent[]) => given(AGENT_TOPIC, ...events);
  const outputs = (...events: DetectorOutputEvent[]) => given(OUTPUT_TOPIC, ...events);

  beforeEach(() => {
    offsets.clear();
    rm = new SqliteReadModel({ path: ':memory:' });
  });

  afterEach(async () => {
    await rm.close();
  });

  it('creates a healthy, deliverable agent from its first heartbeat', async () => {
    await beats(beat('a-1', T0 + 123, { host: 'box-1', version: '1.2.3', labels: { team: 'search' }, progress: { completed: 4, inFlight: 1 } }));

    const agent = await rm.getAgent('acme', 'a-1');
    expect(agent).toEqual({
      tenant: 'acme',
      agentId: 'a-1',
      status: 'healthy',
      statusSince: '2025-03-01T10:00:00.123Z',
      deliverable: true,
      lastHeartbeatAt: '2025-03-01T10:00:00.123Z',
      registeredAt: '2025-03-01T10:00:00.123Z',
      instanceId: 'i-1',
      intervalSeconds: 30,
      restarts: 0,
      flapping: false,
      progress: { completed: 4, inFlight: 1 },
      host: 'box-1',
      version: '1.2.3',
      labels: { team: 'search' },
      killed: null,
      lastReason: 'first heartbeat received',
      eventLoopDelayMs: null,
    });
    expect(await rm.getAgent('other-tenant', 'a-1')).toBeNull();
  });

  it("keeps the event-loop delay of the agent's latest beat, never a late beat's", async () => {
    await beats(beat('a-1', T0, { eventLoopDelayMs: { p50: 10.5, p99: 20, max: 31 } }));
    expect((await rm.getAgent('acme', 'a-1'))?.eventLoopDelayMs).toEqual({ p50: 10.5, p99: 20, max: 31 });
    await beats(beat('a-1', T0 + 30_000, { eventLoopDelayMs: { p50: 11, p99: 250, max: 900 } }));
    await beats(beat('a-1', T0 + 10_000, { eventLoopDelayMs: { p50: 1, p99: 1, max: 1 } }));
    await beats(beat('a-1', T0 + 60_000)); // a beat without one (another producer) leaves the last known value
    expect((await rm.getAgent('acme', 'a-1'))?.eventLoopDelayMs).toEqual({ p50: 11, p99: 250, max: 900 });
  });

  it('folds the same beats to the same agent whether they carry labels or not (late beats, missing details)', async () => {
    // Beats of "q" also carry (empty) labels, which rewrite rm_agent_labels beside the row: the views must not differ.
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (let i = 0; i < 60; i++) {
      const at = T0 + next(40) * 1_000; // often late, sometimes equal
      const data: Partial<HeartbeatData> = {
        instanceId: `i-${next(3)}`,
        intervalSeconds: 10 + next(3) * 10,
        ...(next(2) === 0 ? { host: `h-${next(4)}` } : {}),
        ...(next(2) === 0 ? { version: `v${next(4)}` } : {}),
        ...(next(2) === 0 ? { progress: { completed: next(100), inFlight: next(3) } } : {}),
        ...(next(3) === 0 ? { eventLoopDelayMs: { p50: next(10), p99: next(100), max: next(1000) } } : {}),
      };
      await beats(beat('p', at, data), beat('q', at, { ...data, labels: {} }));
    }
    const p = await rm.getAgent('acme', 'p');
    const q = await rm.getAgent('acme', 'q');
    expect(p).not.toBeNull();
    expect({ ...p, agentId: 'q' }).toEqual(q);
  });

  it('takes the time of a first beat older than the agent\'s row (made from a transition) as its registration time', async () => {
    await outputs(transition('a-1', 'unknown', 'healthy', T0 + 60_000));
    expect((await rm.getAgent('acme', 'a-1'))?.registeredAt).toBe(iso(T0 + 60_000));
    await beats(beat('a-1', T0));
    const agent = await rm.getAgent('acme', 'a-1');
    expect(agent?.registeredAt).toBe(iso(T0));
    expect(agent?.lastHeartbeatAt).toBe(iso(T0));
  });

  it('never moves lastHeartbeatAt (or the details a beat carries) backwards', async () => {
    await beats(beat('a-1', T0 + 60_000, { instanceId: 'new', host: 'new-host' }));
    await beats(beat('a-1', T0, { instanceId: 'old', host: 'old-host' }));

    const agent = await rm.getAgent('acme', 'a-1');
    expect(agent?.lastHeartbeatAt).toBe(iso(T0 + 60_000));
    expect(agent?.instanceId).toBe('new');
    expect(agent?.host).toBe('new-host');
    expect(agent?.registeredAt).toBe(iso(T0));
  });

  it('applies a transition once, even when it is applied twice', async () => {
    await beats(beat('a-1', T0));
    const degraded = transition('a-1', 'healthy', 'degraded', T0 + 90_000);
    const healthyAgain = transition('a-1', 'degraded', 'healthy', T0 + 95_000);
    await outputs(transition('a-1', 'unknown', 'healthy', T0), degraded, healthyAgain);

    // The detector re-emits after a crash: same ids, later offsets.
    await outputs(degraded);
    expect(await rm.getAgent('acme', 'a-1')).toMatchObject({ status: 'healthy', statusSince: iso(T0 + 95_000) });
    await outputs(degraded, healthyAgain);

    const page = await rm.listTransitions('acme', { agentId: 'a-1', limit: 10 });
    expect(page.items.map((t) => t.to)).toEqual(['healthy', 'degraded', 'healthy']);
    const agent = await rm.getAgent('acme', 'a-1');
    expect(agent?.status).toBe('healthy');
    expect(agent?.statusSince).toBe(iso(T0 + 95_000));
  });

  it('ignores a whole batch whose checkpoint was already reached', async () => {
    await rm.apply([beat('a-1', T0)], { topic: AGENT_TOPIC, partition: 3, nextOffset: 10 });

    await rm.apply([beat('a-1', T0 + 5000), beat('a-2', T0)], { topic: AGENT_TOPIC, partition: 3, nextOffset: 10 });
    await rm.apply([beat('a-3', T0)], { topic: AGENT_TOPIC, partition: 3, nextOffset: 7 });

    expect(await rm.checkpoint(AGENT_TOPIC, 3)).toBe(10);
    expect(await rm.checkpoint(AGENT_TOPIC, 4)).toBeNull();
    expect((await rm.getAgent('acme', 'a-1'))?.lastHeartbeatAt).toBe(iso(T0));
    expect(await rm.getAgent('acme', 'a-2')).toBeNull();
    expect(await rm.getAgent('acme', 'a-3')).toBeNull();
  });

  it('leaves nothing behind when a batch fails half-way', async () => {
    const broken = { ...beat('a-2', T0), data: { ...beat('a-2', T0).data, receivedAt: 'not a time' } };
    await expect(rm.apply([beat('a-1', T0), broken], { topic: AGENT_TOPIC, partition: 0, nextOffset: 2 })).rejects.toMatchObject({
      code: 'VIGIL_ERR_INVALID_EVENT',
    });
    expect(await rm.getAgent('acme', 'a-1')).toBeNull();
    expect(await rm.checkpoint(AGENT_TOPIC, 0)).toBeNull();
  });

  it('creates an agent known only from a transition, and fills it in from its first beat', async () => {
    await outputs(transition('a-1', 'unknown', 'healthy', T0));
    expect((await rm.getAgent('acme', 'a-1'))?.status).toBe('healthy');
    await beats(beat('a-1', T0, { intervalSeconds: 10 }));
    const agent = await rm.getAgent('acme', 'a-1');
    expect(agent?.intervalSeconds).toBe(10);
    expect(agent?.lastReason).toBe('unknown to healthy');
  });

  it('shows kill info while killed and clears it on resume', async () => {
    await beats(beat('a-1', T0), killed('a-1', T0 + 10_000));
    await outputs(transition('a-1', 'unknown', 'healthy', T0), transition('a-1', 'healthy', 'killed', T0 + 10_000));

    const whileKilled = await rm.getAgent('acme', 'a-1');
    expect(whileKilled?.status).toBe('killed');
    expect(whileKilled?.deliverable).toBe(false);
    expect(whileKilled?.killed).toEqual({ by: 'ops@acme', reason: 'runaway costs', at: iso(T0 + 10_000) });

    await outputs(transition('a-1', 'killed', 'healthy', T0 + 20_000, 'acme', 'resumed by ops@acme'));
    const resumed = await rm.getAgent('acme', 'a-1');
    expect(resumed?.killed).toBeNull();
    expect(resumed?.lastReason).toBe('resumed by ops@acme');
  });

  it('keeps kill info when the transition is folded before the agent-killed event', async () => {
    await outputs(transition('a-1', 'unknown', 'healthy', T0), transition('a-1', 'healthy', 'killed', T0 + 10_000));
    expect((await rm.getAgent('acme', 'a-1'))?.killed?.by).toBe('unknown');
    await beats(killed('a-1', T0 + 10_000));
    expect((await rm.getAgent('acme', 'a-1'))?.killed).toEqual({ by: 'ops@acme', reason: 'runaway costs', at: iso(T0 + 10_000) });
  });

  it('does not resurrect the kill info of a kill that was already resumed', async () => {
    await outputs(
      transition('a-1', 'unknown', 'healthy', T0),
      transition('a-1', 'healthy', 'killed', T0 + 10_000),
      transition('a-1', 'killed', 'healthy', T0 + 20_000),
    );
    await beats(killed('a-1', T0 + 10_000, 'late@acme'));
    await outputs(transition('a-1', 'healthy', 'killed', T0 + 30_000));
    expect((await rm.getAgent('acme', 'a-1'))?.killed?.by).toBe('unknown');
  });

  it('counts restarts and flapping, and clears flapping', async () => {
    await beats(beat('a-1', T0));
    const restarted: DetectorOutputEvent = {
      version: 1,
      id: 'r-1',
      time: iso(T0 + 1000),
      tenant: 'acme',
      agentId: 'a-1',
      type: 'agent-restarted',
      data: { previousInstanceId: 'i-1', instanceId: 'i-2', restarts: 4, recentRestarts: 4, flapping: true },
    };
    await outputs(restarted);
    expect(await rm.getAgent('acme', 'a-1')).toMatchObject({ restarts: 4, flapping: true });
    expect((await rm.fleetSummary('acme')).flapping).toBe(1);
    await outputs({ version: 1, id: 'f-1', time: iso(T0 + 2000), tenant: 'acme', agentId: 'a-1', type: 'agent-flapping-cleared', data: { recentRestarts: 0 } });
    expect(await rm.getAgent('acme', 'a-1')).toMatchObject({ restarts: 4, flapping: false });
  });

  describe('listing agents', () => {
    const statuses: AgentStatus[] = ['healthy', 'degraded', 'unreachable', 'killed', 'stopped', 'stalled'];
    const expected = new Map<string, { status: AgentStatus; team: string; flapping: boolean }>();

    beforeEach(async () => {
      expected.clear();
      for (let i = 0; i < 57; i++) {
        const agentId = `agent-${String((i * 37) % 57).padStart(2, '0')}`;
        const status = statuses[i % statuses.length]!;
        const team = i % 3 === 0 ? 'search' : 'billing';
        const flapping = i % 5 === 0;
        expected.set(agentId, { status, team, flapping });
        await beats(beat(agentId, T0 + i, { labels: { team, zone: `z${i % 2}` } }));
        const out: DetectorOutputEvent[] = [transition(agentId, 'unknown', 'healthy', T0 + i)];
        if (status !== 'healthy') out.push(transition(agentId, 'healthy', status, T0 + 100_000 + i));
        if (flapping) {
          out.push({
            version: 1,
            id: `r-${agentId}`,
            time: iso(T0 + 200_000),
            tenant: 'acme',
            agentId,
            type: 'agent-restarted',
            data: { previousInstanceId: 'a', instanceId: 'b', restarts: 3, recentRestarts: 3, flapping: true },
          });
        }
        await outputs(...out);
      }
      await beats(beat('other-tenant-agent', T0, {}, 'globex'));
    });

    async function walk(filter: Omit<AgentFilter, 'limit' | 'cursor'>, limit: number): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = await rm.listAgents('acme', { ...filter, limit, ...(cursor === undefined ? {} : { cursor }) });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        ids.push(...page.items.map((a) => a.agentId));
        if (page.nextCursor === null) return ids;
        cursor = page.nextCursor;
      }
      throw new Error('pagination did not end');
    }

    const cases: { name: string; filter: Omit<AgentFilter, 'limit' | 'cursor'>; keep: (a: { status: AgentStatus; team: string; flapping: boolean }) => boolean }[] = [
      { name: 'no filter', filter: {}, keep: () => true },
      { name: 'status=degraded', filter: { status: 'degraded' }, keep: (a) => a.status === 'degraded' },
      { name: 'deliverable=true', filter: { deliverable: true }, keep: (a) => a.status === 'healthy' || a.status === 'degraded' },
      { name: 'deliverable=false', filter: { deliverable: false }, keep: (a) => a.status !== 'healthy' && a.status !== 'degraded' },
      { name: 'flapping=true', filter: { flapping: true }, keep: (a) => a.flapping },
      { name: 'label team=search', filter: { label: { key: 'team', value: 'search' } }, keep: (a) => a.team === 'search' },
      {
        name: 'deliverable, flapping=false and team=billing',
        filter: { deliverable: true, flapping: false, label: { key: 'team', value: 'billing' } },
        keep: (a) => (a.status === 'healthy' || a.status === 'degraded') && !a.flapping && a.team === 'billing',
      },
    ];

    for (const { name, filter, keep } of cases) {
      it(`walks every agent matching ${name} exactly once, in id order`, async () => {
        const want = [...expected].filter(([, a]) => keep(a)).map(([id]) => id).sort();
        expect(want.length).toBeGreaterThan(0);
        for (const limit of [1, 7, 100]) expect(await walk(filter, limit)).toEqual(want);
      });
    }

    async function walkViews(filter: Omit<AgentFilter, 'limit' | 'cursor'>, limit: number): Promise<AgentView[]> {
      const items: AgentView[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = await rm.listAgents('acme', { ...filter, limit, ...(cursor === undefined ? {} : { cursor }) });
        items.push(...page.items);
        if (page.nextCursor === null) return items;
        cursor = page.nextCursor;
      }
      throw new Error('pagination did not end');
    }

    const SEVERITY: AgentStatus[] = ['unreachable', 'stalled', 'degraded', 'killed', 'healthy', 'stopped'];
    const bySeverity = (a: AgentView, b: AgentView) =>
      SEVERITY.indexOf(a.status) - SEVERITY.indexOf(b.status) ||
      Date.parse(a.statusSince) - Date.parse(b.statusSince) ||
      (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0);
    const seenKey = (a: AgentView) => (a.lastHeartbeatAt === null ? -1 : Date.parse(a.lastHeartbeatAt));
    const byLastSeen = (a: AgentView, b: AgentView) => seenKey(b) - seenKey(a) || (a.agentId < b.agentId ? 1 : a.agentId > b.agentId ? -1 : 0);

    it('orders by severity (unreachable, stalled, degraded, killed, healthy, stopped), then oldest status first, across pages', async () => {
      const all = await walkViews({}, 500);
      const want = [...all].sort(bySeverity).map((a) => a.agentId);
      for (const limit of [1, 7, 100]) expect((await walkViews({ sort: 'severity' }, limit)).map((a) => a.agentId)).toEqual(want);
      const first = await rm.listAgents('acme', { sort: 'severity', limit: 3 });
      expect(first.items.map((a) => a.status)).toEqual(['unreachable', 'unreachable', 'unreachable']);
    });

    it('orders by severity within a filter (status, deliverable, label)', async () => {
      const all = await walkViews({}, 500);
      const degraded = all.filter((a) => a.status === 'degraded').sort(bySeverity).map((a) => a.agentId);
      expect((await walkViews({ sort: 'severity', status: 'degraded' }, 2)).map((a) => a.agentId)).toEqual(degraded);
      const deliverable = all.filter((a) => a.deliverable).sort(bySeverity).map((a) => a.agentId);
      expect((await walkViews({ sort: 'severity', deliverable: true }, 4)).map((a) => a.agentId)).toEqual(deliverable);
      const search = all.filter((a) => a.labels.team === 'search').sort(bySeverity).map((a) => a.agentId);
      expect((await walkViews({ sort: 'severity', labels: [{ key: 'team', value: 'search' }] }, 3)).map((a) => a.agentId)).toEqual(search);
    });

    it('orders by last beat, newest first, across pages', async () => {
      const all = await walkViews({}, 500);
      const want = [...all].sort(byLastSeen).map((a) => a.agentId);
      for (const limit of [1, 9]) expect((await walkViews({ sort: 'lastSeen' }, limit)).map((a) => a.agentId)).toEqual(want);
    });

    it('matches every one of several labels', async () => {
      const want = [...expected.keys()].filter((id) => expected.get(id)!.team === 'billing').sort();
      const billing = await walkViews({ labels: [{ key: 'team', value: 'billing' }] }, 500);
      expect(billing.map((a) => a.agentId)).toEqual(want);
      const both = await walkViews({ labels: [{ key: 'team', value: 'billing' }, { key: 'zone', value: 'z1' }] }, 5);
      expect(both.length).toBeGreaterThan(0);
      expect(both.map((a) => a.agentId)).toEqual(billing.filter((a) => a.labels.zone === 'z1').map((a) => a.agentId));
      expect(await walkViews({ labels: [{ key: 'team', value: 'billing' }, { key: 'team', value: 'search' }] }, 5)).toEqual([]);
    });

    it('finds agents by a prefix of their id or of a label value', async () => {
      expect((await walkViews({ q: 'agent-1' }, 3)).map((a) => a.agentId)).toEqual([...expected.keys()].filter((id) => id.startsWith('agent-1')).sort());
      const search = (await walkViews({ q: 'sea' }, 500)).map((a) => a.agentId);
      expect(search).toEqual([...expected].filter(([, a]) => a.team === 'search').map(([id]) => id).sort());
      expect(await walkViews({ q: 'nothing-like-this' }, 5)).toEqual([]);
      expect((await walkViews({ q: 'z1', sort: 'severity' }, 500)).every((a) => a.labels.zone === 'z1')).toBe(true);
    });

    it('refuses a cursor issued for another order', async () => {
      const severity = (await rm.listAgents('acme', { sort: 'severity', limit: 2 })).nextCursor!;
      const byId = (await rm.listAgents('acme', { limit: 2 })).nextCursor!;
      await expect(rm.listAgents('acme', { limit: 2, cursor: severity })).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(rm.listAgents('acme', { sort: 'lastSeen', limit: 2, cursor: byId })).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(rm.listAgents('acme', { sort: 'severity', limit: 2, cursor: byId })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('counts every status of the tenant, deliverable and flapping', async () => {
      const summary = await rm.fleetSummary('acme');
      const count = (s: AgentStatus) => [...expected.values()].filter((a) => a.status === s).length;
      expect(summary).toEqual({
        tenant: 'acme',
        total: 57,
        healthy: count('healthy'),
        degraded: count('degraded'),
        unreachable: count('unreachable'),
        killed: count('killed'),
        stopped: count('stopped'),
        stalled: count('stalled'),
        deliverable: count('healthy') + count('degraded'),
        flapping: [...expected.values()].filter((a) => a.flapping).length,
      });
      expect((await rm.fleetSummary('globex')).total).toBe(1);
    });

    it('refuses a cursor it did not issue', async () => {
      await expect(rm.listAgents('acme', { limit: 5, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toBeInstanceOf(InvalidCursorError);
      const transitionsCursor = (await rm.listTransitions('acme', { limit: 1 })).nextCursor!;
      await expect(rm.listAgents('acme', { limit: 5, cursor: transitionsCursor })).rejects.toMatchObject({ code: 'VIGIL_ERR_INVALID_CURSOR' });
    });

    it('walks the tenant’s transitions newest first, each exactly once', async () => {
      const seen: string[] = [];
      const ats: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await rm.listTransitions('acme', { limit: 8, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...page.items.map((t) => t.id));
        ats.push(...page.items.map((t) => Date.parse(t.at)));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      const nonHealthy = [...expected.values()].filter((a) => a.status !== 'healthy').length;
      expect(seen).toHaveLength(57 + nonHealthy);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...ats].sort((a, b) => b - a)).toEqual(ats);
    });
  });

  it('reports every status as zero for a tenant with no agents', async () => {
    expect(await rm.fleetSummary('empty')).toEqual({
      tenant: 'empty',
      total: 0,
      healthy: 0,
      degraded: 0,
      unreachable: 0,
      killed: 0,
      stopped: 0,
      stalled: 0,
      deliverable: 0,
      flapping: 0,
    });
  });

  describe('fleet counts', () => {
    it('keeps the counts equal to the rows through inserts, status and flapping changes and deletes', async () => {
      const db = new Database(':memory:');
      const shared = new SqliteReadModel({ database: db });
      const truth = () =>
        db.prepare<[], { status: string; n: number; f: number }>("SELECT status, COUNT(*) AS n, SUM(flapping) AS f FROM rm_agents WHERE tenant = 'acme' GROUP BY status").all();
      const kept = () =>
        db.prepare<[], { status: string; n: number; f: number }>("SELECT status, agents AS n, flapping AS f FROM rm_fleet_counts WHERE tenant = 'acme' AND agents > 0").all();
      let offset = 0;
      const fold = (...events: (AgentEvent | DetectorOutputEvent)[]) => shared.apply(events, { topic: OUTPUT_TOPIC, partition: 0, nextOffset: ++offset });
      for (let i = 0; i < 20; i++) await fold(beat(`c-${i}`, T0 + i), transition(`c-${i}`, 'unknown', 'healthy', T0 + i));
      for (let i = 0; i < 20; i += 3) await fold(transition(`c-${i}`, 'healthy', 'degraded', T0 + 1000 + i));
      await fold(transition('c-0', 'degraded', 'unreachable', T0 + 5000), transition('c-0', 'degraded', 'unreachable', T0 + 5000));
      await fold({ version: 1, id: 'r-1', time: iso(T0), tenant: 'acme', agentId: 'c-1', type: 'agent-restarted', data: { previousInstanceId: 'a', instanceId: 'b', restarts: 4, recentRestarts: 4, flapping: true } });
      await fold(beat('c-1', T0 + 9000));
      db.prepare("DELETE FROM rm_agents WHERE tenant = 'acme' AND agent_id IN ('c-3', 'c-4')").run();
      const sort = (rows: { status: string }[]) => [...rows].sort((a, b) => a.status.localeCompare(b.status));
      expect(sort(kept())).toEqual(sort(truth()));
      expect(await shared.fleetSummary('acme')).toMatchObject({ total: 18, unreachable: 1, degraded: 5, healthy: 12, flapping: 1 });
      await shared.close();
      db.close();
    });

    it('upgrades a file written before the counts, sort columns and transition sequence existed', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-rm-'));
      const file = join(dir, 'old.db');
      try {
        const first = new SqliteReadModel({ path: file });
        await first.apply([beat('u-1', T0), transition('u-1', 'unknown', 'healthy', T0), beat('u-2', T0 + 1), transition('u-2', 'unknown', 'healthy', T0 + 1)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 4 });
        await first.apply([transition('u-2', 'healthy', 'degraded', T0 + 2)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 5 });
        await first.close();
        const db = new Database(file);
        db.exec(`DROP TRIGGER rm_agents_counted_insert; DROP TRIGGER rm_agents_counted_update; DROP TRIGGER rm_agents_counted_delete;
                 DROP TABLE rm_fleet_counts; DROP TABLE rm_meta; DROP INDEX rm_agents_by_severity; DROP INDEX rm_agents_by_last_seen;
                 DROP INDEX rm_transitions_by_seq; DROP INDEX rm_transitions_by_tenant_seq;
                 ALTER TABLE rm_agents DROP COLUMN severity; ALTER TABLE rm_agents DROP COLUMN seen_order; ALTER TABLE rm_transitions DROP COLUMN seq;`);
        db.close();

        const upgraded = new SqliteReadModel({ path: file });
        expect(await upgraded.fleetSummary('acme')).toMatchObject({ total: 2, healthy: 1, degraded: 1 });
        expect((await upgraded.listAgents('acme', { sort: 'severity', limit: 1 })).items[0]!.agentId).toBe('u-2');
        const seqs = await upgraded.transitionsAfter(0, 10);
        expect(seqs.map((s) => s.seq)).toEqual([1, 2, 3]);
        expect(seqs.map((s) => s.transition.to)).toEqual(['healthy', 'healthy', 'degraded']);
        await upgraded.apply([transition('u-1', 'healthy', 'stalled', T0 + 3)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 6 });
        expect(await upgraded.latestTransitionSeq()).toBe(4);
        await upgraded.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('transition sequence', () => {
    it('numbers transitions in fold order across tenants and finds them again by id', async () => {
      expect(await rm.latestTransitionSeq()).toBe(0);
      await outputs(transition('a', 'unknown', 'healthy', T0 + 5000), transition('g', 'unknown', 'healthy', T0, 'globex'));
      // Folded later but earlier in event time: it still comes after, so a stream never skips it.
      await outputs(transition('b', 'unknown', 'healthy', T0 + 1));
      const all = await rm.transitionsAfter(0, 10);
      expect(all.map((s) => [s.seq, s.transition.agentId])).toEqual([[1, 'a'], [2, 'g'], [3, 'b']]);
      expect((await rm.transitionsAfter(1, 10, 'acme')).map((s) => s.transition.agentId)).toEqual(['b']);
      expect((await rm.transitionsAfter(0, 1)).map((s) => s.seq)).toEqual([1]);
      expect(await rm.transitionSeq('acme', all[2]!.transition.id)).toBe(3);
      expect(await rm.transitionSeq('globex', all[2]!.transition.id)).toBeNull();
      expect(await rm.transitionSeq('acme', 'no-such-id')).toBeNull();
      expect(await rm.latestTransitionSeq()).toBe(3);
    });

    it('does not number a transition folded twice again', async () => {
      const t = transition('a', 'unknown', 'healthy', T0);
      await outputs(t);
      await rm.apply([t], { topic: OUTPUT_TOPIC, partition: 1, nextOffset: 1 });
      expect((await rm.transitionsAfter(0, 10)).map((s) => s.seq)).toEqual([1]);
    });

    it('signals each apply that folded new transitions, and only those', async () => {
      let calls = 0;
      const off = rm.onTransitionsFolded(() => calls++);
      await beats(beat('a', T0));
      expect(calls).toBe(0);
      await outputs(transition('a', 'unknown', 'healthy', T0), transition('a', 'healthy', 'degraded', T0 + 90_000));
      expect(calls).toBe(1);
      await rm.apply([transition('a', 'unknown', 'healthy', T0)], { topic: OUTPUT_TOPIC, partition: 2, nextOffset: 1 });
      expect(calls).toBe(1);
      off();
      await outputs(transition('a', 'degraded', 'unreachable', T0 + 300_000));
      expect(calls).toBe(1);
    });
  });

  describe('metrics', () => {
    const HOUR = 3_600_000;
    const MINUTE = 60_000;
    const hourStart = Math.floor(T0 / HOUR) * HOUR;

    /** A deterministic pseudo-random stream, so a failure can be reproduced. */
    function random(seed: number): () => number {
      let s = seed;
      return () => {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        return s / 2 ** 32;
      };
    }

    function summary(windowStart: number, samples: { success: boolean; latencyMs?: number; costUsd?: number }[]): MetricSummaryEvent {
      const acc = new MetricAccumulator(windowStart);
      acc.addAll(samples);
      return { version: 1, id: `m-${windowStart}`, time: iso(windowStart + MINUTE), tenant: 'acme', agentId: 'a-1', type: 'metric-summary', data: acc.summarise(MINUTE) };
    }

    it('rolls an hour up to exactly what merging its minutes gives, p99 within 2 % of the exact value', async () => {
      const rand = random(42);
      const all: number[] = [];
      const whole = new LatencySketch();
      let successes = 0;
      let cost = 0;
      const events: MetricSummaryEvent[] = [];
      for (let m = 0; m < 60; m++) {
        const samples = Array.from({ length: 50 + Math.floor(rand() * 100) }, () => {
          // Log-normal-ish latencies with a heavy tail, as LLM calls have.
          const latencyMs = Math.exp(4 + 1.5 * (rand() + rand() + rand() - 1.5)) * (rand() < 0.02 ? 20 : 1);
          const success = rand() > 0.1;
          const costUsd = Math.round(rand() * 1000) / 1e6;
          all.push(latencyMs);
          whole.add(latencyMs);
          if (success) successes++;
          cost += costUsd;
          return { success, latencyMs, costUsd };
        });
        events.push(summary(hourStart + m * MINUTE, samples));
      }
      events.push(summary(hourStart + HOUR, [{ success: true, latencyMs: 5 }]));
      await outputs(...events);

      const [hour, next] = await rm.metrics('acme', 'a-1', { resolution: '1h', limit: 10 });
      expect(next?.windowStart).toBe(iso(hourStart + HOUR));
      expect(hour?.windowStart).toBe(iso(hourStart));
      expect(hour?.windowEnd).toBe(iso(hourStart + HOUR));
      expect(hour?.count).toBe(all.length);
      expect(hour?.successes).toBe(successes);
      expect(hour?.failures).toBe(all.length - successes);
      expect(hour?.successRate).toBeCloseTo(successes / all.length, 12);
      expect(hour?.costUsd).toBeCloseTo(cost, 6);

      const sorted = [...all].sort((a, b) => a - b);
      const latency = hour!.latency!;
      expect(latency.count).toBe(all.length);
      expect(latency.min).toBe(sorted[0]);
      expect(latency.max).toBe(sorted[sorted.length - 1]);
      expect(latency.avg).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 6);
      expect(latency.p50).toBe(whole.quantile(0.5));
      expect(latency.p95).toBe(whole.quantile(0.95));
      expect(latency.p99).toBe(whole.quantile(0.99));
      const exactP99 = sorted[Math.floor(0.99 * (sorted.length - 1))]!;
      expect(Math.abs(latency.p99 - exactP99) / exactP99).toBeLessThanOrEqual(0.02);
    });

    it('serves stored minutes at 1m, oldest first, within [from, to) and the limit', async () => {
      await outputs(...[0, 1, 2, 3].map((m) => summary(hourStart + m * MINUTE, [{ success: m % 2 === 0, latencyMs: 10 * (m + 1) }])));
      await outputs(summary(hourStart, [{ success: false }])); // a re-emitted minute is not stored twice

      const points = await rm.metrics('acme', 'a-1', { resolution: '1m', from: hourStart + MINUTE, to: hourStart + 3 * MINUTE, limit: 10 });
      expect(points.map((p) => p.windowStart)).toEqual([iso(hourStart + MINUTE), iso(hourStart + 2 * MINUTE)]);
      expect(points[0]?.latency?.p50).toBeCloseTo(20, -1);
      expect(points[0]?.successRate).toBe(0);

      const first = await rm.metrics('acme', 'a-1', { resolution: '1m', limit: 2 });
      expect(first.map((p) => p.windowStart)).toEqual([iso(hourStart), iso(hourStart + MINUTE)]);
      expect(first[0]?.successes).toBe(1);
    });

    it('serves an hour without latency samples with null latency', async () => {
      await outputs(summary(hourStart, [{ success: true, costUsd: 0.5 }]));
      const [hour] = await rm.metrics('acme', 'a-1', { resolution: '1h', limit: 1 });
      expect(hour).toMatchObject({ count: 1, latency: null, costUsd: 0.5, successRate: 1 });
    });
  });
});

describe('SqliteReadModel on a file from before event-loop delay', () => {
  it('adds the column and serves agents folded before it', async () => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:');
    const first = new SqliteReadModel({ database: db });
    await first.apply([beat('old', T0)], { topic: AGENT_TOPIC, partition: 0, nextOffset: 1 });
    db.exec('ALTER TABLE rm_agents DROP COLUMN event_loop_delay'); // as the file was before the column existed
    const reopened = new SqliteReadModel({ database: db });
    expect((await reopened.getAgent('acme', 'old'))?.eventLoopDelayMs).toBeNull();
    await reopened.apply([beat('old', T0 + 1000, { eventLoopDelayMs: { p50: 1, p99: 2, max: 3 } })], { topic: AGENT_TOPIC, partition: 0, nextOffset: 2 });
    expect((await reopened.getAgent('acme', 'old'))?.eventLoopDelayMs).toEqual({ p50: 1, p99: 2, max: 3 });
    db.close();
  });
});
