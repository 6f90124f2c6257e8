import type { AgentEvent, AgentForgottenFactEvent, DetectorOutputEvent, HeartbeatEvent, MetricSummaryEvent, StatusTransitionedEvent } from '@vigil/contracts';
import { MetricAccumulator } from '@vigil/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteReadModel } from './sqlite-read-model.ts';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const AGENT_TOPIC = 'vigil.agent-events';
const OUTPUT_TOPIC = 'vigil.status-transitions';

const beat = (agentId: string, at: number, tenant = 'acme'): HeartbeatEvent => ({
  version: 1,
  id: `hb-${agentId}-${at}`,
  time: iso(at),
  tenant,
  agentId,
  type: 'heartbeat',
  data: { instanceId: 'i-1', intervalSeconds: 30, seq: 0, sentAt: iso(at), receivedAt: iso(at), labels: { team: 'search' } },
});
const healthy = (agentId: string, at: number, tenant = 'acme'): StatusTransitionedEvent => ({
  version: 1,
  id: `tr-${tenant}-${agentId}-${at}`,
  time: iso(at),
  tenant,
  agentId,
  type: 'status-transitioned',
  data: { from: 'unknown', to: 'healthy', at: iso(at), detectedAt: iso(at + 1000), reason: 'first heartbeat', lastHeartbeatAt: iso(at) },
});
const minute = (agentId: string, windowStart: number): MetricSummaryEvent => {
  const acc = new MetricAccumulator(windowStart);
  acc.addAll([{ success: true, latencyMs: 12 }]);
  return { version: 1, id: `m-${agentId}-${windowStart}`, time: iso(windowStart + 60_000), tenant: 'acme', agentId, type: 'metric-summary', data: acc.summarise(60_000) };
};
const forgotten = (agentId: string, at: number, lastHeartbeatAt: number, tenant = 'acme'): AgentForgottenFactEvent => ({
  version: 1,
  id: `f-${agentId}-${at}`,
  time: iso(at),
  tenant,
  agentId,
  type: 'agent-forgotten',
  data: { cause: 'operator', by: 'ops', reason: 'gone', lastStatus: 'healthy', lastHeartbeatAt: iso(lastHeartbeatAt) },
});

describe('SqliteReadModel: forgetting', () => {
  let rm: SqliteReadModel;
  const offsets = new Map<string, number>();
  async function given(topic: string, ...events: (AgentEvent | DetectorOutputEvent)[]): Promise<void> {
    const next = (offsets.get(topic) ?? 0) + Math.max(1, events.length);
    offsets.set(topic, next);
    await rm.apply(events, { topic, partition: 0, nextOffset: next });
  }
  const inputs = (...events: AgentEvent[]) => given(AGENT_TOPIC, ...events);
  const outputs = (...events: DetectorOutputEvent[]) => given(OUTPUT_TOPIC, ...events);

  beforeEach(() => {
    offsets.clear();
    rm = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false });
  });
  afterEach(async () => {
    await rm.close();
  });

  it('removes the agent, its transitions, metrics and counts on the agent-forgotten fact, and nobody else', async () => {
    await inputs(beat('a-1', T0), beat('a-2', T0));
    await outputs(healthy('a-1', T0), healthy('a-2', T0), minute('a-1', T0), minute('a-2', T0));
    await inputs({ version: 1, id: 'k', time: iso(T0 + 5), tenant: 'acme', agentId: 'a-1', type: 'agent-killed', data: { by: 'ops', reason: 'x' } });
    await outputs(forgotten('a-1', T0 + 10_000, T0));

    expect(await rm.getAgent('acme', 'a-1')).toBeNull();
    expect((await rm.listAgents('acme', { limit: 10 })).items.map((a) => a.agentId)).toEqual(['a-2']);
    expect((await rm.listAgents('acme', { limit: 10, label: { key: 'team', value: 'search' } })).items.map((a) => a.agentId)).toEqual(['a-2']);
    expect((await rm.listTransitions('acme', { limit: 10 })).items.map((t) => t.agentId)).toEqual(['a-2']);
    expect(await rm.metrics('acme', 'a-1', { resolution: '1m', limit: 10 })).toEqual([]);
    expect(await rm.metrics('acme', 'a-2', { resolution: '1m', limit: 10 })).toHaveLength(1);
    expect((await rm.fleetSummary('acme')).total).toBe(1);
  });

  it('ignores the request on agent-events: only the detector’s fact forgets', async () => {
    await inputs(beat('a-1', T0));
    await inputs({ version: 1, id: 'req', time: iso(T0 + 1), tenant: 'acme', agentId: 'a-1', type: 'agent-forgotten', data: { by: 'ops', reason: '' } });
    expect(await rm.getAgent('acme', 'a-1')).not.toBeNull();
  });

  it('does not bring the agent back for a beat or kill of the old life folded late from the other topic', async () => {
    await outputs(healthy('a-1', T0), forgotten('a-1', T0 + 60_000, T0 + 30_000));
    await inputs(beat('a-1', T0), beat('a-1', T0 + 30_000));
    await inputs({ version: 1, id: 'k', time: iso(T0 + 40_000), tenant: 'acme', agentId: 'a-1', type: 'agent-killed', data: { by: 'ops', reason: 'x' } });
    expect(await rm.getAgent('acme', 'a-1')).toBeNull();
    expect((await rm.fleetSummary('acme')).total).toBe(0);
  });

  it('takes the agent back as new when it beats after being forgotten', async () => {
    await inputs(beat('a-1', T0));
    await outputs(healthy('a-1', T0), forgotten('a-1', T0 + 60_000, T0));
    await inputs(beat('a-1', T0 + 120_000));
    await outputs(healthy('a-1', T0 + 120_000));
    const agent = await rm.getAgent('acme', 'a-1');
    expect(agent).toMatchObject({ status: 'healthy', registeredAt: iso(T0 + 120_000), lastHeartbeatAt: iso(T0 + 120_000) });
    expect((await rm.listTransitions('acme', { agentId: 'a-1', limit: 10 })).items).toHaveLength(1);
  });

  it('forgets within the tenant only', async () => {
    await inputs(beat('a-1', T0, 'acme'), beat('a-1', T0, 'other'));
    await outputs(forgotten('a-1', T0 + 1000, T0, 'acme'));
    expect(await rm.getAgent('acme', 'a-1')).toBeNull();
    expect(await rm.getAgent('other', 'a-1')).not.toBeNull();
  });

  it('stores the release point the projector found with the tombstone, in the fold of the fact, and lists it', async () => {
    await inputs(beat('a-1', T0), beat('a-2', T0));
    await rm.apply([forgotten('a-1', T0 + 10_000, T0 + 5_000)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 1 }, [
      { tenant: 'acme', agentId: 'a-1', partition: 3, releaseOffset: 42 },
    ]);
    await outputs(forgotten('a-2', T0 + 10_000, T0));

    // a-2's fact came without a release point: it is pruned by age instead, and not the projector's to reload.
    expect(await rm.tombstones()).toEqual([{ tenant: 'acme', agentId: 'a-1', cutoff: T0 + 10_000, partition: 3, releaseOffset: 42 }]);
  });

  it('releases the tombstones of a partition that the committed offset has reached, and no others', async () => {
    await rm.apply([forgotten('a-1', T0 + 1000, T0), forgotten('a-2', T0 + 1000, T0), forgotten('a-3', T0 + 1000, T0)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 3 }, [
      { tenant: 'acme', agentId: 'a-1', partition: 0, releaseOffset: 10 },
      { tenant: 'acme', agentId: 'a-2', partition: 0, releaseOffset: 20 },
      { tenant: 'acme', agentId: 'a-3', partition: 1, releaseOffset: 5 },
    ]);

    expect(await rm.releaseTombstones(0, 15)).toBe(1);

    expect((await rm.tombstones()).map((t) => t.agentId).sort()).toEqual(['a-2', 'a-3']);
    // The released agent's old life is over: a beat now is a new life.
    await inputs(beat('a-1', T0 + 500));
    expect(await rm.getAgent('acme', 'a-1')).not.toBeNull();
    await inputs(beat('a-2', T0 + 500));
    expect(await rm.getAgent('acme', 'a-2')).toBeNull();
  });

  it('moves the release point on when the agent is forgotten again', async () => {
    const release = (releaseOffset: number) => [{ tenant: 'acme', agentId: 'a-1', partition: 0, releaseOffset }];
    await rm.apply([forgotten('a-1', T0 + 1000, T0)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 1 }, release(10));
    await rm.apply([forgotten('a-1', T0 + 90_000, T0 + 60_000)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 2 }, release(50));
    expect(await rm.tombstones()).toEqual([{ tenant: 'acme', agentId: 'a-1', cutoff: T0 + 90_000, partition: 0, releaseOffset: 50 }]);
    expect(await rm.releaseTombstones(0, 10)).toBe(0);
  });

  it('prunes by age only the tombstones without a release point', async () => {
    const short = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false, retention: { transitionsMs: 60_000 } });
    try {
      await short.apply([forgotten('a-1', T0, T0), forgotten('a-2', T0, T0)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 2 }, [
        { tenant: 'acme', agentId: 'a-1', partition: 0, releaseOffset: 7 },
      ]);
      await short.apply([healthy('a-9', T0 + 3_600_000)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 3 });

      expect((await short.pruneRetention()).tombstones).toBe(1);

      expect((await short.tombstones()).map((t) => t.agentId)).toEqual(['a-1']);
    } finally {
      await short.close();
    }
  });

  it('is replay-safe: a redelivered batch holding the fact changes nothing more', async () => {
    await inputs(beat('a-1', T0));
    await outputs(healthy('a-1', T0), forgotten('a-1', T0 + 1000, T0));
    await rm.apply([healthy('a-1', T0), forgotten('a-1', T0 + 1000, T0)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: offsets.get(OUTPUT_TOPIC)! });
    expect(await rm.getAgent('acme', 'a-1')).toBeNull();
  });
});

describe('SqliteReadModel on a file from before tombstone release points', () => {
  it('adds the columns, keeps the old tombstones guarding (pruned by age) and stores release points from then on', async () => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:');
    const first = new SqliteReadModel({ database: db, sweepOnTimer: false });
    await first.apply([forgotten('old', T0 + 1000, T0)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 1 });
    // As the file was before the columns existed.
    db.exec('DROP INDEX rm_forgotten_by_release; ALTER TABLE rm_forgotten DROP COLUMN partition; ALTER TABLE rm_forgotten DROP COLUMN release_offset');

    const reopened = new SqliteReadModel({ database: db, sweepOnTimer: false });
    await reopened.apply([beat('old', T0 + 500)], { topic: AGENT_TOPIC, partition: 0, nextOffset: 1 });
    expect(await reopened.getAgent('acme', 'old')).toBeNull();
    expect(await reopened.tombstones()).toEqual([]);
    await reopened.apply([forgotten('new', T0 + 2000, T0)], { topic: OUTPUT_TOPIC, partition: 0, nextOffset: 2 }, [
      { tenant: 'acme', agentId: 'new', partition: 0, releaseOffset: 9 },
    ]);
    expect((await reopened.tombstones()).map((t) => t.agentId)).toEqual(['new']);
    db.close();
  });
});
