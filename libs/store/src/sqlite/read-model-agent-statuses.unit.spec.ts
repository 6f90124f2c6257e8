import type { AgentEvent, AgentForgottenFactEvent, DetectorOutputEvent, HeartbeatEvent, StatusTransitionedEvent } from '@vigil/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStatusChange } from './read-model-status-changes.ts';
import { SqliteReadModel } from './sqlite-read-model.ts';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function beat(tenant: string, agentId: string, at: number): HeartbeatEvent {
  return {
    version: 1,
    id: `hb-${tenant}-${agentId}-${at}`,
    time: iso(at),
    tenant,
    agentId,
    type: 'heartbeat',
    data: { instanceId: 'i-1', intervalSeconds: 30, seq: at, sentAt: iso(at), receivedAt: iso(at) },
  };
}

type Status = StatusTransitionedEvent['data']['to'];
function transition(tenant: string, agentId: string, from: StatusTransitionedEvent['data']['from'], to: Status, at: number): StatusTransitionedEvent {
  return {
    version: 1,
    id: `tr-${tenant}-${agentId}-${at}`,
    time: iso(at),
    tenant,
    agentId,
    type: 'status-transitioned',
    data: { from, to, at: iso(at), detectedAt: iso(at), reason: 'operator', lastHeartbeatAt: iso(T0) },
  } as StatusTransitionedEvent;
}
const IN = 'vigil.agent-events';
const OUT = 'vigil.status-transitions';
const killed = (tenant: string, agentId: string, at: number) => transition(tenant, agentId, 'healthy', 'killed', at);

function forgotten(tenant: string, agentId: string, at: number): AgentForgottenFactEvent {
  return {
    version: 1,
    id: `f-${tenant}-${agentId}-${at}`,
    time: iso(at),
    tenant,
    agentId,
    type: 'agent-forgotten',
    data: { cause: 'operator', by: 'ops', reason: 'gone', lastStatus: 'killed', lastHeartbeatAt: iso(T0) },
  };
}

describe('SqliteReadModel.agentStatuses', () => {
  let rm: SqliteReadModel;
  afterEach(async () => rm.close());

  it("answers each known agent's status of one tenant in one read; unknown agents and other tenants' are absent", async () => {
    rm = new SqliteReadModel({ path: ':memory:' });
    await rm.apply([beat('acme', 'a1', T0), beat('acme', 'a2', T0), beat('other', 'a3', T0)], { topic: 'in', partition: 0, nextOffset: 3 });
    await rm.apply([killed('acme', 'a2', T0 + 1000)], { topic: 'out', partition: 0, nextOffset: 1 });
    const statuses = await rm.agentStatuses('acme', ['a1', 'a2', 'a3', 'nobody']);
    expect(Object.fromEntries(statuses)).toEqual({ a1: 'healthy', a2: 'killed' });
    expect((await rm.getAgent('acme', 'a2'))?.status).toBe('killed');
    expect((await rm.agentStatuses('acme', [])).size).toBe(0);
    expect(Object.fromEntries(await rm.agentStatuses('acme', ['a2']))).toEqual({ a2: 'killed' });
    expect((await rm.agentStatuses('acme', ['a3'])).size).toBe(0);
  });
});

describe('SqliteReadModel.agentStatuses query plan', () => {
  it('looks each agent up by primary key instead of scanning the tenant', async () => {
    const rm = new SqliteReadModel({ path: ':memory:' });
    const db = (rm as unknown as { db: import('better-sqlite3').Database }).db;
    const sql = (rm as unknown as { stmt: { agentStatuses: { source: string } } }).stmt.agentStatuses.source;
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('["a"]', 'acme') as { detail: string }[];
    await rm.close();
    expect(plan.map((p) => p.detail).join(' | ')).toMatch(/SCAN j .*SEARCH a USING PRIMARY KEY \(tenant=\? AND agent_id=\?\)/);
  });
});

describe('SqliteReadModel.onStatusChanges', () => {
  let rm: SqliteReadModel;
  let heard: AgentStatusChange[][];
  const offsets = new Map<string, number>();
  const given = async (topic: string, ...events: (AgentEvent | DetectorOutputEvent)[]): Promise<void> => {
    const next = (offsets.get(topic) ?? 0) + events.length;
    offsets.set(topic, next);
    await rm.apply(events, { topic, partition: 0, nextOffset: next });
  };

  beforeEach(() => {
    offsets.clear();
    heard = [];
    rm = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false });
    rm.onStatusChanges((changes) => heard.push([...changes]));
  });
  afterEach(async () => rm.close());

  it('hears a new agent, each change of status and a forgotten row, once per commit and in order; never a plain beat', async () => {
    await given(IN, beat('acme', 'a1', T0), beat('acme', 'a2', T0), beat('other', 'b1', T0));
    expect(heard).toEqual([
      [
        { tenant: 'acme', agentId: 'a1', status: 'healthy' },
        { tenant: 'acme', agentId: 'a2', status: 'healthy' },
        { tenant: 'other', agentId: 'b1', status: 'healthy' },
      ],
    ]);
    await given(IN, beat('acme', 'a1', T0 + 30_000), beat('acme', 'a2', T0 + 30_000));
    expect(heard).toHaveLength(1); // last-seen moved, no status did
    await given(OUT, transition('acme', 'a1', 'healthy', 'degraded', T0 + 120_000), transition('acme', 'a1', 'degraded', 'killed', T0 + 130_000));
    expect(heard.at(-1)).toEqual([
      { tenant: 'acme', agentId: 'a1', status: 'degraded' },
      { tenant: 'acme', agentId: 'a1', status: 'killed' },
    ]);
    await given(OUT, forgotten('acme', 'a1', T0 + 200_000));
    expect(heard.at(-1)).toEqual([{ tenant: 'acme', agentId: 'a1', status: null }]);
    expect(Object.fromEntries(await rm.agentStatuses('acme', ['a1', 'a2']))).toEqual({ a2: 'healthy' });
  });

  it('hears nothing of a batch already applied, nor of one that failed and was rolled back', async () => {
    await given(IN, beat('acme', 'a1', T0));
    heard = [];
    await rm.apply([beat('acme', 'a9', T0)], { topic: IN, partition: 0, nextOffset: 1 }); // checkpoint already there: a no-op
    expect(heard).toEqual([]);
    // A write that fails half-way: the first beat's row (and its change) are rolled back with the rest.
    const db = (rm as unknown as { db: import('better-sqlite3').Database }).db;
    db.exec("CREATE TEMP TRIGGER boom BEFORE INSERT ON main.rm_agents WHEN NEW.agent_id = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END;");
    await expect(rm.apply([beat('acme', 'a7', T0 + 1), beat('acme', 'boom', T0 + 1)], { topic: IN, partition: 0, nextOffset: 3 })).rejects.toThrow(/boom/);
    expect(heard).toEqual([]);
    expect((await rm.agentStatuses('acme', ['a7'])).size).toBe(0);
    db.exec('DROP TRIGGER temp.boom');
    await rm.apply([beat('acme', 'a7', T0 + 1)], { topic: IN, partition: 0, nextOffset: 3 });
    expect(heard).toEqual([[{ tenant: 'acme', agentId: 'a7', status: 'healthy' }]]);
  });
});
