import type { AgentEvent, AgentForgottenFactEvent, DetectorOutputEvent } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import { Detector } from './detector.ts';
import type { DetectorConfig } from './detector-config.ts';
import { restoreDetector, snapshotAgent, snapshotDetector, snapshotMeta } from './detector-snapshot.ts';
import { formatIsoMs } from './iso-time.ts';

const T0 = Date.UTC(2026, 0, 1);
const s = (sec: number): number => T0 + sec * 1000;
const MIN = 60;
const HOUR = 3600;
const DAY = 24 * HOUR;

function beat(agentId: string, at: number, extra: { tenant?: string; metrics?: boolean } = {}): AgentEvent {
  const iso = formatIsoMs(at);
  return {
    type: 'heartbeat',
    version: 1,
    id: `hb-${agentId}-${at}`,
    tenant: extra.tenant ?? 'default',
    agentId,
    time: iso,
    data: {
      instanceId: 'i1',
      intervalSeconds: 30,
      sentAt: iso,
      receivedAt: iso,
      ...(extra.metrics ? { metrics: [{ success: true, latencyMs: 100 }] } : {}),
    },
  };
}
const tick = (at: number): AgentEvent => ({ type: 'tick', version: 1, id: `t-${at}`, time: formatIsoMs(at), data: { partition: 0 } });
const forget = (agentId: string, at: number, tenant = 'default'): AgentEvent => ({
  type: 'agent-forgotten',
  version: 1,
  id: `f-${at}`,
  tenant,
  agentId,
  time: formatIsoMs(at),
  data: { by: 'ops', reason: 'decommissioned' },
});
const stop = (agentId: string, at: number): AgentEvent => ({ type: 'agent-stopped', version: 1, id: `s-${at}`, tenant: 'default', agentId, time: formatIsoMs(at), data: {} });
const retention = (forgetAfterMs: number | null, at: number, tenant = 'default'): AgentEvent => ({
  type: 'retention-set',
  version: 1,
  id: `rs-${at}`,
  tenant,
  time: formatIsoMs(at),
  data: { forgetAfterMs },
});

function run(events: AgentEvent[], config: Partial<DetectorConfig> = {}, d = new Detector(config)): { d: Detector; out: DetectorOutputEvent[] } {
  const out: DetectorOutputEvent[] = [];
  for (const e of events) d.apply(e, out);
  return { d, out };
}
/** Ticks from `from` to `to` (epoch ms) every `every` ms. */
function ticks(from: number, to: number, every = 1000): AgentEvent[] {
  const list: AgentEvent[] = [];
  for (let t = from; t <= to; t += every) list.push(tick(t));
  return list;
}
const summary = (out: DetectorOutputEvent[]): string[] =>
  out
    .filter((o) => o.type === 'status-transitioned' || o.type === 'agent-forgotten')
    .map((o) =>
      o.type === 'status-transitioned' ? `${o.agentId}:${o.data.from}->${o.data.to}@${o.data.at}` : `${o.agentId}:forgotten(${o.data.cause})@${o.time}`,
    );
const forgottenOf = (out: DetectorOutputEvent[]): AgentForgottenFactEvent[] => out.filter((o): o is AgentForgottenFactEvent => o.type === 'agent-forgotten');

describe('Detector: forgetting on request', () => {
  it('drops the agent, emits agent-forgotten with its last status and beat, and makes no transition for it afterwards', () => {
    const { d, out } = run([tick(s(0)), beat('a1', s(0)), beat('a2', s(0)), ...ticks(s(1), s(60)), forget('a1', s(60)), ...ticks(s(61), s(400))]);
    expect(summary(out).filter((x) => x.startsWith('a1'))).toEqual(['a1:unknown->healthy@2026-01-01T00:00:00.000Z', 'a1:forgotten(operator)@2026-01-01T00:01:00.000Z']);
    // a2, silent too, is convicted as usual: a1's deadlines were ignored, not the whole queue.
    expect(summary(out).filter((x) => x.startsWith('a2')).length).toBe(3);
    const fact = forgottenOf(out)[0]!;
    expect(fact.data).toEqual({ cause: 'operator', by: 'ops', reason: 'decommissioned', lastStatus: 'healthy', lastHeartbeatAt: '2026-01-01T00:00:00.000Z' });
    expect(d.agents.get('default', 'a1')).toBeUndefined();
    expect(d.agents.size).toBe(1);
    expect(d.stats.forgottenAgents).toBe(1);
  });

  it('brings a forgotten agent back as new when it beats again: unknown -> healthy, registered again', () => {
    const { out } = run([tick(s(0)), beat('a1', s(0)), ...ticks(s(1), s(10)), forget('a1', s(10)), ...ticks(s(11), s(20)), beat('a1', s(20)), ...ticks(s(21), s(30))]);
    expect(summary(out)).toEqual([
      'a1:unknown->healthy@2026-01-01T00:00:00.000Z',
      'a1:forgotten(operator)@2026-01-01T00:00:10.000Z',
      'a1:unknown->healthy@2026-01-01T00:00:20.000Z',
    ]);
    expect(out.filter((o) => o.type === 'agent-registered')).toHaveLength(2);
    const ids = out.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ignores (counts) a forget of an agent it does not know, and a second forget', () => {
    const { d, out } = run([tick(s(0)), forget('ghost', s(0)), beat('a1', s(0)), forget('a1', s(1)), forget('a1', s(2))]);
    expect(forgottenOf(out)).toHaveLength(1);
    expect(d.stats.ignoredEvents).toBe(2);
  });

  it("drops the agent's open metric window: no summary is emitted for a forgotten agent", () => {
    const { out } = run([tick(s(0)), beat('a1', s(1), { metrics: true }), beat('a2', s(1), { metrics: true }), forget('a1', s(2)), ...ticks(s(3), s(61))]);
    expect(out.filter((o) => o.type === 'metric-summary').map((o) => o.agentId)).toEqual(['a2']);
  });

  it('lists forgotten keys once for the checkpoint, and a restored detector does not know the agent', () => {
    const d = new Detector();
    run([tick(s(0)), beat('a1', s(0)), beat('a2', s(0))], {}, d);
    d.takeDirty();
    run([forget('a1', s(5))], {}, d);
    expect(d.takeForgotten()).toEqual(['default/a1']);
    expect(d.takeForgotten()).toEqual([]);
    expect(d.takeDirty().map((a) => a.agentId)).toEqual([]);
    const restored = restoreDetector({}, snapshotMeta(d), [...d.agents.values()].map(snapshotAgent));
    expect(restored.agents.get('default', 'a1')).toBeUndefined();
  });
});

describe('Detector: forgetting by retention', () => {
  it('forgets an agent stopped for the platform default of 7 days, exactly 7 days after it stopped', () => {
    // Ticks every 10 s to keep the test quick, so blindness is judged over a longer gap than that.
    const { out } = run([tick(s(0)), beat('a1', s(0)), stop('a1', s(10)), ...ticks(s(10), s(7 * DAY + 20), 10_000)], { blindAfterMs: 60_000 });
    expect(summary(out)).toEqual([
      'a1:unknown->healthy@2026-01-01T00:00:00.000Z',
      'a1:healthy->stopped@2026-01-01T00:00:10.000Z',
      'a1:forgotten(retention)@2026-01-08T00:00:10.000Z',
    ]);
    expect(forgottenOf(out)[0]!.data).toMatchObject({ cause: 'retention', by: 'retention', lastStatus: 'stopped', reason: 'stopped for 168h (retention 168h)' });
  });

  it("forgets an agent unreachable for the tenant's retention, and never a healthy, degraded or killed one", () => {
    const killAt = s(5);
    const events: AgentEvent[] = [
      retention(HOUR * 1000, s(0)),
      tick(s(0)),
      beat('silent', s(0)),
      beat('killed', s(0)),
      { type: 'agent-killed', version: 1, id: 'k', tenant: 'default', agentId: 'killed', time: formatIsoMs(killAt), data: { by: 'ops', reason: 'x' } },
    ];
    for (let t = 0; t <= 3 * HOUR; t += 30) {
      events.push(...ticks(s(t), s(t + 29), 1000));
      events.push(beat('alive', s(t)));
      events.push(beat('killed', s(t)));
    }
    const { d, out } = run(events);
    // unreachable at 00:05:00 (10 × 30 s), forgotten one hour later.
    expect(summary(out).filter((x) => x.startsWith('silent'))).toEqual([
      'silent:unknown->healthy@2026-01-01T00:00:00.000Z',
      'silent:healthy->degraded@2026-01-01T00:01:30.000Z',
      'silent:degraded->unreachable@2026-01-01T00:05:00.000Z',
      'silent:forgotten(retention)@2026-01-01T01:05:00.000Z',
    ]);
    expect(forgottenOf(out).map((f) => f.agentId)).toEqual(['silent']);
    expect(d.agents.get('default', 'killed')?.status).toBe('killed');
  });

  it('re-plans when the retention changes, and null restores the platform default; other tenants keep theirs', () => {
    const events: AgentEvent[] = [tick(s(0)), beat('a1', s(0)), beat('b1', s(0), { tenant: 'other' }), stop('a1', s(1))];
    events.push({ ...(stop('b1', s(1)) as Extract<AgentEvent, { type: 'agent-stopped' }>), tenant: 'other' });
    events.push(...ticks(s(2), s(10 * MIN), 1000));
    // a1 has been stopped for longer already: forgotten at the next window, with the moment the retention elapsed.
    events.push(retention(5 * MIN * 1000, s(10 * MIN)));
    events.push(...ticks(s(10 * MIN + 1), s(10 * MIN + 5)));
    const { out } = run(events, { forgetAfterMs: DAY * 1000 });
    expect(summary(out).filter((x) => x.includes('forgotten'))).toEqual(['a1:forgotten(retention)@2026-01-01T00:05:01.000Z']);

    const later = run([tick(s(0)), beat('a1', s(0)), retention(MIN * 1000, s(0)), retention(null, s(0)), stop('a1', s(1)), ...ticks(s(2), s(2 * HOUR), 5000)], { forgetAfterMs: HOUR * 1000 });
    expect(summary(later.out).filter((x) => x.includes('forgotten'))).toEqual(['a1:forgotten(retention)@2026-01-01T01:00:01.000Z']);
  });

  it('gives the same output after a checkpoint restore mid-retention as an uninterrupted run (tenant retention included)', () => {
    const head: AgentEvent[] = [retention(30 * MIN * 1000, s(0)), tick(s(0)), beat('a1', s(0)), beat('a2', s(0)), ...ticks(s(1), s(5)), stop('a2', s(5)), ...ticks(s(6), s(10 * MIN), 1000)];
    const tail: AgentEvent[] = [...ticks(s(10 * MIN + 1), s(2 * HOUR), 1000), beat('a2', s(2 * HOUR)), ...ticks(s(2 * HOUR + 1), s(2 * HOUR + 100))];
    const whole = run([...head, ...tail]).out;
    const first = run(head);
    const restored = restoreDetector({}, snapshotDetector(first.d).meta, snapshotDetector(first.d).agents);
    const rest = run(tail, {}, restored).out;
    expect(JSON.stringify([...first.out, ...rest])).toBe(JSON.stringify(whole));
    expect(summary(whole).filter((x) => x.includes('forgotten'))).toEqual(['a2:forgotten(retention)@2026-01-01T00:30:05.000Z', 'a1:forgotten(retention)@2026-01-01T00:35:00.000Z']);
  });

  it('does not count a blind platform against an unreachable agent: its retention restarts when ticks resume', () => {
    const events: AgentEvent[] = [retention(HOUR * 1000, s(0)), tick(s(0)), beat('a1', s(0)), ...ticks(s(1), s(20 * MIN), 1000)];
    // Blind from 00:20 to 00:50 (no ticks), then ticks again.
    events.push(...ticks(s(50 * MIN), s(3 * HOUR), 1000));
    const { out } = run(events);
    expect(summary(out).filter((x) => x.includes('forgotten'))).toEqual(['a1:forgotten(retention)@2026-01-01T01:50:00.000Z']);
  });
});
