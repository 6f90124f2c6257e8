import type { HeartbeatEvent, StatusTransitionedEvent } from '@vigil/contracts';
import { afterEach, describe, expect, it } from 'vitest';
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
    data: { instanceId: 'i-1', intervalSeconds: 30, seq: 0, sentAt: iso(at), receivedAt: iso(at) },
  };
}

function killed(tenant: string, agentId: string, at: number): StatusTransitionedEvent {
  return {
    version: 1,
    id: `tr-${tenant}-${agentId}-${at}`,
    time: iso(at),
    tenant,
    agentId,
    type: 'status-transitioned',
    data: { from: 'healthy', to: 'killed', at: iso(at), detectedAt: iso(at), reason: 'operator', lastHeartbeatAt: iso(T0) },
  } as StatusTransitionedEvent;
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
