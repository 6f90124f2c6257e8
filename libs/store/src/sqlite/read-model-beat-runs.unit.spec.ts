import type { AgentEvent, HeartbeatData, HeartbeatEvent, StatusTransitionedEvent } from '@vigil/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteReadModel } from './sqlite-read-model.ts';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const TOPIC = 'vigil.agent-events';

let n = 0;
function beat(agentId: string, at: number, data: Partial<HeartbeatData> = {}, tenant = 'acme'): HeartbeatEvent {
  n++;
  return {
    version: 1,
    id: `hb-${n}`,
    time: iso(at),
    tenant,
    agentId,
    type: 'heartbeat',
    data: { instanceId: 'i-1', intervalSeconds: 30, seq: n, sentAt: iso(at), receivedAt: iso(at), ...data },
  };
}

function transition(agentId: string, at: number): StatusTransitionedEvent {
  n++;
  return {
    version: 1,
    id: `tr-${n}`,
    time: iso(at),
    tenant: 'acme',
    agentId,
    type: 'status-transitioned',
    data: { from: 'healthy', to: 'degraded', at: iso(at), detectedAt: iso(at), reason: 'silent', lastHeartbeatAt: iso(at - 90_000) },
  };
}

/** A small deterministic generator (mulberry32), so that a failing sequence can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Beats of a few agents, often several of one agent in a row, with optional fields that come and go, late beats,
 * agents first seen mid-way, and now and then a transition between them.
 */
function events(seed: number, count: number): AgentEvent[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: AgentEvent[] = [];
  let t = T0;
  let agent = 'a';
  for (let i = 0; i < count; i++) {
    if (r() < 0.3) agent = pick(['a', 'b', 'c', 'd', 'e']);
    t += Math.floor(r() * 3_000);
    if (r() < 0.05) {
      out.push(transition(agent, t) as unknown as AgentEvent);
      continue;
    }
    const at = r() < 0.1 ? t - 60_000 : t; // late
    const data: Partial<HeartbeatData> = { instanceId: pick(['i-1', 'i-2']), intervalSeconds: pick([10, 30]) };
    if (r() < 0.6) data.progress = { completed: i, inFlight: 1 };
    if (r() < 0.4) data.host = pick(['h1', 'h2']);
    if (r() < 0.3) data.version = pick(['1.0', '1.1']);
    if (r() < 0.2) data.labels = { team: pick(['x', 'y']) };
    if (r() < 0.2) data.eventLoopDelayMs = { p50: 1, p99: r() * 10, max: 12 };
    out.push(beat(agent, at, data));
  }
  return out;
}

describe('SqliteReadModel beat runs (several beats of an agent in one batch, written once)', () => {
  let dir: string;
  const open: SqliteReadModel[] = [];
  const model = (name: string) => {
    const rm = new SqliteReadModel({ path: join(dir, `${name}.db`) });
    open.push(rm);
    return rm;
  };
  /** Every row a fold leaves, read from the file itself. */
  const rows = (name: string) => {
    const db = new Database(join(dir, `${name}.db`), { readonly: true });
    try {
      return {
        agents: db.prepare('SELECT * FROM rm_agents ORDER BY tenant, agent_id').all(),
        labels: db.prepare('SELECT * FROM rm_agent_labels ORDER BY tenant, agent_id, key').all(),
        transitions: db.prepare('SELECT * FROM rm_transitions ORDER BY id').all(),
      };
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-beat-runs-'));
  });
  afterEach(async () => {
    for (const rm of open.splice(0)) await rm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('leaves exactly the rows that folding one event per batch leaves (seed %i)', async (seed) => {
    const all = events(seed, 400);
    const one = model('one');
    for (let i = 0; i < all.length; i++) await one.apply([all[i]!], { topic: TOPIC, partition: 0, nextOffset: i + 1 });
    const batched = model('batched');
    for (let i = 0; i < all.length; i += 100) await batched.apply(all.slice(i, i + 100), { topic: TOPIC, partition: 0, nextOffset: Math.min(all.length, i + 100) });
    const whole = model('whole');
    await whole.apply(all, { topic: TOPIC, partition: 0, nextOffset: all.length });
    const expected = rows('one');
    expect(expected.agents.length).toBeGreaterThan(0);
    expect(rows('batched')).toEqual(expected);
    expect(rows('whole')).toEqual(expected);
  });

  it('writes an agent row once for a run of its beats, and once per beat where a beat cannot join the run', async () => {
    const rm = model('count');
    await rm.apply([beat('a', T0)], { topic: TOPIC, partition: 0, nextOffset: 1 });
    const db = new Database(join(dir, 'count.db'));
    db.exec(`CREATE TABLE row_writes (n INTEGER NOT NULL);
      CREATE TRIGGER count_row_writes AFTER UPDATE OF last_heartbeat_at ON rm_agents BEGIN INSERT INTO row_writes VALUES (1); END;`);
    const writes = () => (db.prepare('SELECT count(*) FROM row_writes').pluck().get() as number);

    const run = Array.from({ length: 10 }, (_, i) => beat('a', T0 + 1_000 * (i + 1), { progress: { completed: i, inFlight: 1 } }));
    await rm.apply(run, { topic: TOPIC, partition: 0, nextOffset: 11 });
    expect(writes()).toBe(1);
    const view = await rm.getAgent('acme', 'a');
    expect(view?.lastHeartbeatAt).toBe(iso(T0 + 10_000));
    expect(view?.progress).toEqual({ completed: 9, inFlight: 1 });

    // A beat without the progress the one before it carried, a late one, a transition between: each breaks the run.
    await rm.apply(
      [
        beat('a', T0 + 20_000, { progress: { completed: 20, inFlight: 0 } }),
        beat('a', T0 + 21_000),
        beat('a', T0 + 15_000),
        beat('a', T0 + 22_000),
        transition('a', T0 + 23_000) as unknown as AgentEvent,
        beat('a', T0 + 24_000),
      ],
      { topic: TOPIC, partition: 0, nextOffset: 17 },
    );
    // [20 s] then [21 s] (no progress), [15 s] (late) then [22 s] as one run, the transition, [24 s]; the transition
    // also moves last-seen.
    expect(writes()).toBe(1 + 5);
    const after = await rm.getAgent('acme', 'a');
    expect(after?.lastHeartbeatAt).toBe(iso(T0 + 24_000));
    expect(after?.progress).toEqual({ completed: 20, inFlight: 0 });
    db.close();
  });

  it('refuses a batch with a bad beat inside a run whole: nothing of the run is written, the checkpoint stays', async () => {
    const rm = model('poison');
    await rm.apply([beat('a', T0)], { topic: TOPIC, partition: 0, nextOffset: 1 });
    const poison = beat('a', T0 + 2_000, { receivedAt: 'yesterday' });
    await expect(rm.apply([beat('a', T0 + 1_000), poison, beat('a', T0 + 3_000)], { topic: TOPIC, partition: 0, nextOffset: 4 })).rejects.toMatchObject({
      code: 'VIGIL_ERR_INVALID_EVENT',
      details: { field: 'data.receivedAt' },
    });
    expect((await rm.getAgent('acme', 'a'))?.lastHeartbeatAt).toBe(iso(T0));
    expect(await rm.checkpoint(TOPIC, 0)).toBe(1);
    // The next batch folds as if the bad one had never been tried (no run left over from it).
    await rm.apply([beat('b', T0 + 4_000)], { topic: TOPIC, partition: 0, nextOffset: 5 });
    expect((await rm.getAgent('acme', 'a'))?.lastHeartbeatAt).toBe(iso(T0));
  });

  it('folds a new agent whose first batch holds several of its beats beat by beat (its row is created by the first)', async () => {
    const rm = model('new');
    await rm.apply([beat('z', T0, { host: 'h1' }), beat('z', T0 + 1_000, { host: 'h2' }), beat('z', T0 + 2_000, { host: 'h3', version: '2' })], {
      topic: TOPIC,
      partition: 0,
      nextOffset: 3,
    });
    const view = await rm.getAgent('acme', 'z');
    expect(view).toMatchObject({ status: 'healthy', host: 'h3', version: '2', lastHeartbeatAt: iso(T0 + 2_000), registeredAt: iso(T0), statusSince: iso(T0) });
  });
});
