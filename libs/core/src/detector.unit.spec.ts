import type { AgentEvent, DetectorOutputEvent, MetricSample, StatusTransitionedEvent } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import { Detector } from './detector.ts';
import type { DetectorConfig } from './detector-config.ts';
import { restoreDetector, snapshotDetector } from './detector-snapshot.ts';
import { formatIsoMs } from './iso-time.ts';

const T0 = Date.UTC(2026, 0, 1); // 2026-01-01T00:00:00.000Z
const s = (sec: number): number => T0 + sec * 1000;

function beat(agentId: string, at: number, extra: { seq?: number; instanceId?: string; intervalSeconds?: number; progress?: { completed: number; inFlight: number }; metrics?: MetricSample[]; tenant?: string } = {}): AgentEvent {
  const iso = formatIsoMs(at);
  return {
    type: 'heartbeat',
    version: 1,
    id: `hb-${agentId}-${at}`,
    tenant: extra.tenant ?? 'default',
    agentId,
    time: iso,
    data: {
      instanceId: extra.instanceId ?? 'i1',
      intervalSeconds: extra.intervalSeconds ?? 30,
      ...(extra.seq === undefined ? {} : { seq: extra.seq }),
      sentAt: iso,
      receivedAt: iso,
      ...(extra.progress ? { progress: extra.progress } : {}),
      ...(extra.metrics ? { metrics: extra.metrics } : {}),
    },
  };
}
const tick = (at: number): AgentEvent => ({ type: 'tick', version: 1, id: `t-${at}`, time: formatIsoMs(at), data: { partition: 0 } });
const kill = (agentId: string, at: number): AgentEvent => ({ type: 'agent-killed', version: 1, id: `k-${at}`, tenant: 'default', agentId, time: formatIsoMs(at), data: { by: 'ops', reason: 'runaway cost' } });
const resume = (agentId: string, at: number): AgentEvent => ({ type: 'agent-resumed', version: 1, id: `r-${at}`, tenant: 'default', agentId, time: formatIsoMs(at), data: { by: 'ops' } });
const stop = (agentId: string, at: number, instanceId?: string): AgentEvent => ({
  type: 'agent-stopped',
  version: 1,
  id: `s-${at}`,
  tenant: 'default',
  agentId,
  time: formatIsoMs(at),
  data: instanceId ? { instanceId } : {},
});

/** given a detector, when events are applied, then these are its outputs. */
function run(events: AgentEvent[], config: Partial<DetectorConfig> = {}, detector = new Detector(config)): { d: Detector; out: DetectorOutputEvent[] } {
  const out: DetectorOutputEvent[] = [];
  for (const e of events) detector.apply(e, out);
  return { d: detector, out };
}
function ticks(from: number, to: number, every = 1000): AgentEvent[] {
  const list: AgentEvent[] = [];
  for (let t = from; t <= to; t += every) list.push(tick(t));
  return list;
}
const transitions = (out: DetectorOutputEvent[]): StatusTransitionedEvent[] => out.filter((o): o is StatusTransitionedEvent => o.type === 'status-transitioned');
const path = (out: DetectorOutputEvent[]): string[] => transitions(out).map((t) => `${t.data.from}->${t.data.to}@${t.data.at}`);

describe('Detector: silence', () => {
  it('registers an agent as healthy on its first heartbeat', () => {
    const { out } = run([tick(s(0)), beat('a1', s(0))]);
    expect(out.map((o) => o.type)).toEqual(['agent-registered', 'status-transitioned']);
    expect(path(out)).toEqual([`unknown->healthy@${formatIsoMs(s(0))}`]);
  });

  it('keeps an agent healthy 89,999 ms after its last beat and marks it degraded at 90,000 ms', () => {
    const cfg = { windowMs: 1 };
    const given = run([tick(s(0)), beat('a1', s(0)), ...ticks(s(1), s(89)), tick(s(0) + 89_999)], cfg);
    expect(transitions(given.out)).toHaveLength(1);
    const then = run([tick(s(0) + 90_000)], cfg, given.d);
    expect(path(then.out)).toEqual([`healthy->degraded@${formatIsoMs(s(90))}`]);
  });

  it('marks it unreachable 299,999 ms later no, at 300,000 ms yes, with at = last beat + threshold', () => {
    const cfg = { windowMs: 1 };
    const given = run([tick(s(0)), beat('a1', s(0)), ...ticks(s(1), s(299)), tick(s(0) + 299_999)], cfg);
    expect(path(given.out).at(-1)).toContain('healthy->degraded');
    const then = run([tick(s(0) + 300_000)], cfg, given.d);
    const [t] = transitions(then.out);
    expect(t?.data).toMatchObject({ from: 'degraded', to: 'unreachable', at: formatIsoMs(s(300)), detectedAt: formatIsoMs(s(300)), lastHeartbeatAt: formatIsoMs(s(0)) });
  });

  it('reports a crossing inside a window at that window close (detectedAt) with the exact crossing time (at)', () => {
    const { out } = run([tick(s(0)), beat('a1', s(0) + 250), ...ticks(s(1), s(95))]);
    const t = transitions(out)[1]!;
    expect(t.data.at).toBe(formatIsoMs(s(90) + 250));
    expect(t.data.detectedAt).toBe(formatIsoMs(s(91)));
  });

  it('follows the deadlock timeline: beats every 30 s until 01:00, degraded at 02:30, unreachable at 06:00', () => {
    const events: AgentEvent[] = [];
    for (let t = 0; t <= 400; t++) {
      events.push(tick(s(t)));
      if (t % 30 === 0 && t <= 60) events.push(beat('a1', s(t)));
    }
    expect(path(run(events).out)).toEqual([
      `unknown->healthy@${formatIsoMs(s(0))}`,
      `healthy->degraded@${formatIsoMs(s(150))}`,
      `degraded->unreachable@${formatIsoMs(s(360))}`,
    ]);
  });

  it('recovers degraded and unreachable agents on their next beat', () => {
    const { out } = run([tick(s(0)), beat('a1', s(0)), ...ticks(s(1), s(100)), beat('a1', s(100)), ...ticks(s(101), s(500)), beat('a1', s(500))]);
    expect(path(out)).toEqual([
      `unknown->healthy@${formatIsoMs(s(0))}`,
      `healthy->degraded@${formatIsoMs(s(90))}`,
      `degraded->healthy@${formatIsoMs(s(100))}`,
      `healthy->degraded@${formatIsoMs(s(190))}`,
      `degraded->unreachable@${formatIsoMs(s(400))}`,
      `unreachable->healthy@${formatIsoMs(s(500))}`,
    ]);
  });

  it('derives thresholds from the declared interval (3x and 10x)', () => {
    const { out } = run([tick(s(0)), beat('a1', s(0), { intervalSeconds: 10 }), ...ticks(s(1), s(120))]);
    expect(path(out).slice(1)).toEqual([`healthy->degraded@${formatIsoMs(s(30))}`, `degraded->unreachable@${formatIsoMs(s(100))}`]);
  });

  it('lets platform, tenant and agent thresholds override the interval, the most specific winning', () => {
    const tenantSet: AgentEvent = { type: 'thresholds-set', version: 1, id: 'ts', tenant: 'default', time: formatIsoMs(s(0)), data: { degradedAfterMs: 20_000 } };
    const agentSet: AgentEvent = { type: 'thresholds-set', version: 1, id: 'as', tenant: 'default', agentId: 'a2', time: formatIsoMs(s(0)), data: { degradedAfterMs: 5_000 } };
    const { out } = run([tick(s(0)), tenantSet, agentSet, beat('a1', s(0)), beat('a2', s(0)), ...ticks(s(1), s(60))], { thresholds: { degradedAfterMs: 40_000, unreachableAfterMs: 50_000 } });
    const byAgent = (id: string) => transitions(out).filter((t) => t.agentId === id).map((t) => `${t.data.to}@${t.data.at}`);
    expect(byAgent('a1')).toEqual(['healthy@' + formatIsoMs(s(0)), 'degraded@' + formatIsoMs(s(20)), 'unreachable@' + formatIsoMs(s(50))]);
    expect(byAgent('a2')).toEqual(['healthy@' + formatIsoMs(s(0)), 'degraded@' + formatIsoMs(s(5)), 'unreachable@' + formatIsoMs(s(50))]);
  });
});

describe('Detector: kill, resume, stop', () => {
  it('keeps a killed agent killed whatever its beats say, until resumed; then it takes the status its beats justify', () => {
    const { out } = run([tick(s(0)), beat('a1', s(0)), ...ticks(s(1), s(10)), kill('a1', s(10)), ...ticks(s(11), s(400)), beat('a1', s(400)), resume('a1', s(401)), ...ticks(s(402), s(405))]);
    expect(path(out)).toEqual([`unknown->healthy@${formatIsoMs(s(0))}`, `healthy->killed@${formatIsoMs(s(10))}`, `killed->healthy@${formatIsoMs(s(401))}`]);
  });

  it('resumes a silent agent straight to unreachable', () => {
    const { out } = run([tick(s(0)), beat('a1', s(0)), ...ticks(s(1), s(400)), kill('a1', s(400)), ...ticks(s(401), s(500)), resume('a1', s(500)), ...ticks(s(501), s(510))]);
    expect(path(out).slice(-2)).toEqual([`unreachable->killed@${formatIsoMs(s(400))}`, `killed->unreachable@${formatIsoMs(s(500))}`]);
  });

  it('ignores a resume of an agent that is not killed, and a second kill', () => {
    const { out, d } = run([tick(s(0)), beat('a1', s(0)), resume('a1', s(1)), kill('a1', s(2)), kill('a1', s(3))]);
    expect(path(out)).toHaveLength(2);
    expect(d.stats.ignoredEvents).toBe(2);
  });

  it('marks a goodbye as stopped, never degraded afterwards, and healthy again when it beats again', () => {
    const { out } = run([tick(s(0)), beat('a1', s(0)), ...ticks(s(1), s(5)), stop('a1', s(5), 'i1'), ...ticks(s(6), s(500)), beat('a1', s(500), { instanceId: 'i2' })]);
    expect(path(out)).toEqual([`unknown->healthy@${formatIsoMs(s(0))}`, `healthy->stopped@${formatIsoMs(s(5))}`, `stopped->healthy@${formatIsoMs(s(500))}`]);
  });

  it('ignores the goodbye of an instance that has already been replaced', () => {
    const { out } = run([tick(s(0)), beat('a1', s(0), { instanceId: 'old' }), beat('a1', s(1), { instanceId: 'new' }), stop('a1', s(2), 'old')]);
    expect(path(out)).toHaveLength(1);
  });
});

describe('Detector: stalled', () => {
  it('marks an agent stalled when work is in flight and completed has not moved for 5 intervals, healthy when it moves', () => {
    const events: AgentEvent[] = [tick(s(0))];
    for (let t = 0; t <= 200; t += 10) {
      events.push(...ticks(s(t), s(t + 9)));
      events.push(beat('a1', s(t), { intervalSeconds: 30, progress: { completed: t < 20 ? t : 20, inFlight: 1 } }));
    }
    events.push(beat('a1', s(210), { progress: { completed: 21, inFlight: 1 } }));
    const p = path(run(events).out);
    expect(p).toEqual([`unknown->healthy@${formatIsoMs(s(0))}`, `healthy->stalled@${formatIsoMs(s(170))}`, `stalled->healthy@${formatIsoMs(s(210))}`]);
  });

  it('never marks an idle agent (nothing in flight) stalled', () => {
    const events: AgentEvent[] = [];
    for (let t = 0; t <= 400; t += 10) events.push(tick(s(t)), beat('a1', s(t), { progress: { completed: 5, inFlight: 0 } }));
    expect(path(run(events).out)).toHaveLength(1);
  });

  it('lets silence win over a stall: a stalled agent that goes quiet becomes degraded', () => {
    const busy = { progress: { completed: 1, inFlight: 2 } };
    const events: AgentEvent[] = [tick(s(0)), beat('a1', s(0), busy), ...ticks(s(1), s(60)), beat('a1', s(60), busy), ...ticks(s(61), s(120)), beat('a1', s(120), busy), ...ticks(s(121), s(500))];
    expect(path(run(events).out).map((x) => x.split('@')[0])).toEqual(['unknown->healthy', 'healthy->stalled', 'stalled->degraded', 'degraded->unreachable']);
  });
});

describe('Detector: time', () => {
  it('convicts nobody for the time the platform was blind, and gives a full degradedAfter from the resumption', () => {
    const { out, d } = run([...ticks(s(0), s(60)), beat('a1', s(60)), tick(s(61)), tick(s(661)), ...ticks(s(662), s(760))]);
    expect(d.stats.blindPeriods).toBe(1);
    expect(path(out)).toEqual([`unknown->healthy@${formatIsoMs(s(60))}`, `healthy->degraded@${formatIsoMs(s(751))}`]);
  });

  it('counts a late beat, moves last-seen only forwards and never rewrites a closed window', () => {
    const { out, d } = run([tick(s(0)), beat('a1', s(0)), ...ticks(s(1), s(100)), beat('a1', s(50))]);
    expect(d.stats.lateEvents).toBe(1);
    const last = transitions(out).at(-1)!;
    expect(last.data).toMatchObject({ from: 'degraded', to: 'healthy', at: formatIsoMs(s(90)) });
    expect(d.agents.get('default', 'a1')!.lastBeat).toBe(s(50));
    const late2 = run([beat('a1', s(20))], {}, d);
    expect(d.agents.get('default', 'a1')!.lastBeat).toBe(s(50));
    expect(late2.out).toEqual([]);
  });

  it('closes an idle window without touching the fleet: no deadline due, no work', () => {
    const events: AgentEvent[] = [tick(s(0))];
    for (let i = 0; i < 1000; i++) events.push(beat(`a${i}`, s(0)));
    const { d } = run(events);
    const before = d.queueSize;
    run([tick(s(1))], {}, d);
    expect(d.queueSize).toBe(before);
    expect(d.dirty.size).toBe(1000); // only the registrations; the tick dirtied nobody
  });

  it('flags an agent flapping after more than 3 restarts in 10 minutes and clears it when restarts slow down', () => {
    const events: AgentEvent[] = [tick(s(0))];
    for (let i = 0; i < 5; i++) events.push(beat('a1', s(i * 10), { instanceId: `i${i}` }), ...ticks(s(i * 10 + 1), s(i * 10 + 9)));
    events.push(beat('a1', s(1000), { instanceId: 'i9' }));
    const restarts = run(events).out.filter((o) => o.type === 'agent-restarted' || o.type === 'agent-flapping-cleared');
    expect(restarts.map((o) => (o.type === 'agent-restarted' ? `${o.data.restarts}:${o.data.flapping}` : 'cleared'))).toEqual(['1:false', '2:false', '3:false', '4:true', '5:false', 'cleared']);
  });
});

describe('Detector: flapping clears once the agent is stable for its window', () => {
  /** Four restarts 10 s apart (flapping from the fourth), then beats from the last instance every 30 s until `until`. */
  function crashLoopThenStable(until: number): AgentEvent[] {
    const events: AgentEvent[] = [tick(s(0))];
    for (let i = 0; i <= 4; i++) events.push(beat('a1', s(i * 10), { instanceId: `i${i}` }), ...ticks(s(i * 10 + 1), s(i * 10 + 9)));
    for (let t = 50; t <= until; t++) {
      if (t % 30 === 0) events.push(beat('a1', s(t), { instanceId: 'i4' }));
      events.push(tick(s(t)));
    }
    return events;
  }
  const flappingFacts = (out: DetectorOutputEvent[]): string[] =>
    out.flatMap((o) => (o.type === 'agent-restarted' ? [`restart ${o.data.restarts}:${o.data.flapping}@${o.time.slice(11, 19)}`] : o.type === 'agent-flapping-cleared' ? [`cleared:${o.data.recentRestarts}@${o.time.slice(11, 19)}`] : []));

  it('given a flapping agent, when it goes 10 minutes without a restart, then the flag clears at last restart + 10 min with its own event', () => {
    const { out, d } = run(crashLoopThenStable(700));
    expect(flappingFacts(out)).toEqual(['restart 1:false@00:00:10', 'restart 2:false@00:00:20', 'restart 3:false@00:00:30', 'restart 4:true@00:00:40', 'cleared:0@00:10:40']);
    expect(d.agents.get('default', 'a1')?.flapping).toBe(false);
  });

  it('given a flapping agent, when the window has not yet passed (one tick short), then it is still flapping', () => {
    const { out, d } = run(crashLoopThenStable(639));
    expect(out.some((o) => o.type === 'agent-flapping-cleared')).toBe(false);
    expect(d.agents.get('default', 'a1')?.flapping).toBe(true);
  });

  it('given a flapping agent, when it restarts again inside the window, then the clearing moves to the new restart + 10 min', () => {
    const events = crashLoopThenStable(300);
    events.push(beat('a1', s(301), { instanceId: 'i5' }));
    for (let t = 302; t <= 1000; t++) events.push(tick(s(t)));
    const facts = flappingFacts(run(events).out);
    expect(facts.slice(-2)).toEqual(['restart 5:true@00:05:01', 'cleared:0@00:15:01']);
  });

  it('gives the same clearing when restored from a snapshot mid-window (replay and crash recovery agree)', () => {
    const events = crashLoopThenStable(700);
    const whole = run(events).out;
    for (const cut of [60, 300, events.length - 5]) {
      const first = run(events.slice(0, cut));
      const snap = JSON.parse(JSON.stringify(snapshotDetector(first.d)));
      const second = run(events.slice(cut), {}, restoreDetector({}, snap.meta, snap.agents));
      expect(JSON.stringify([...first.out, ...second.out])).toBe(JSON.stringify(whole));
    }
  });
});

describe('Detector: metric summaries', () => {
  it('summarises each agent per minute at the minute close, and drops (counts) samples of a closed minute', () => {
    const events: AgentEvent[] = [tick(s(0))];
    events.push(beat('a1', s(10), { metrics: [{ success: true, latencyMs: 100, costUsd: 0.01 }, { success: false, latencyMs: 300 }] }));
    events.push(beat('a1', s(40), { metrics: [{ success: true, latencyMs: 200, costUsd: 0.02 }] }));
    events.push(...ticks(s(1), s(61)));
    events.push(beat('a1', s(59), { metrics: [{ success: true }] }));
    const { out, d } = run(events);
    const summaries = out.filter((o) => o.type === 'metric-summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.data).toMatchObject({ windowStart: formatIsoMs(s(0)), windowEnd: formatIsoMs(s(60)), count: 3, successes: 2, failures: 1, costUsd: 0.03 });
    expect(summaries[0]!.data.latency).toMatchObject({ count: 3, min: 100, max: 300, avg: 200 });
    expect(Math.abs(summaries[0]!.data.latency!.p50 - 200) / 200).toBeLessThanOrEqual(0.02);
    expect(d.stats.lateMetricSamples).toBe(1);
  });
});

describe('Detector: determinism', () => {
  function workload(): AgentEvent[] {
    const events: AgentEvent[] = [];
    for (let t = 0; t <= 900; t++) {
      events.push(tick(s(t)));
      for (let a = 0; a < 20; a++) {
        const period = 20 + a * 7;
        if (t % period === 0 && (a % 4 !== 0 || t < 200)) events.push(beat(`a${a}`, s(t) + a, { metrics: [{ success: a % 3 !== 0, latencyMs: a * 10 + (t % 50) }], progress: { completed: a % 5 === 0 ? 1 : t, inFlight: 1 } }));
      }
      if (t === 300) events.push(kill('a3', s(t)));
      if (t === 600) events.push(resume('a3', s(t)));
    }
    return events;
  }

  it('gives byte-identical output on every run, with content-derived ids', () => {
    const a = JSON.stringify(run(workload()).out);
    const b = JSON.stringify(run(workload()).out);
    expect(a).toBe(b);
    const ids = run(workload()).out.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('continues from a snapshot exactly as an uninterrupted run would', () => {
    const events = workload();
    const whole = run(events).out;
    for (const cut of [1, 5_000, 9_999, events.length - 1]) {
      const first = run(events.slice(0, cut));
      const snap = JSON.parse(JSON.stringify(snapshotDetector(first.d)));
      const restored = restoreDetector({}, snap.meta, snap.agents);
      const second = run(events.slice(cut), {}, restored);
      expect(JSON.stringify([...first.out, ...second.out])).toBe(JSON.stringify(whole));
    }
  });
});

describe('Detector: repeated beats (instanceId + seq)', () => {
  const sample = (latencyMs: number): MetricSample => ({ success: true, latencyMs, costUsd: 0.01 });
  const summaries = (out: DetectorOutputEvent[]) => out.filter((o) => o.type === 'metric-summary');

  it('drops a beat of the same instance whose seq is not above the last seen, metric samples and all', () => {
    const { d, out } = run([
      tick(s(0)),
      beat('a1', s(1), { seq: 0, metrics: [sample(10)] }),
      beat('a1', s(2), { seq: 1, metrics: [sample(20), sample(30)] }),
      beat('a1', s(3), { seq: 1, metrics: [sample(20), sample(30)] }), // the retry of seq 1, which was stored
      beat('a1', s(4), { seq: 0, metrics: [sample(10)] }), // an older repeat
      beat('a1', s(5), { seq: 2 }),
      ...ticks(s(6), s(61)),
    ]);
    expect(d.stats.duplicateBeats).toBe(2);
    const [minute] = summaries(out);
    expect(minute?.data).toMatchObject({ count: 3, successes: 3 });
    expect(d.agents.get('default', 'a1')?.lastBeat).toBe(s(5));
  });

  it('does not let a repeat move last-seen: silence is measured from the first copy', () => {
    const cfg = { windowMs: 1000 };
    const { out } = run([tick(s(0)), beat('a1', s(0), { seq: 5 }), ...ticks(s(1), s(50)), beat('a1', s(50), { seq: 5 }), ...ticks(s(51), s(90))], cfg);
    expect(path(out)).toEqual([`unknown->healthy@${formatIsoMs(s(0))}`, `healthy->degraded@${formatIsoMs(s(90))}`]);
  });

  it('counts seq afresh for a new instance (a restart), and never takes beats without seq for repeats', () => {
    const { d } = run([
      tick(s(0)),
      beat('a1', s(1), { seq: 7, instanceId: 'i1' }),
      beat('a1', s(2), { seq: 0, instanceId: 'i2' }),
      beat('a1', s(3), { seq: 1, instanceId: 'i2' }),
      beat('b1', s(1)),
      beat('b1', s(2)),
      beat('b1', s(3)),
    ]);
    expect(d.stats.duplicateBeats).toBe(0);
    expect(d.agents.get('default', 'a1')).toMatchObject({ instanceId: 'i2', lastSeq: 1, restarts: 1 });
  });

  it('remembers the last seq across a snapshot, so a repeat after a restore is still dropped', () => {
    const first = run([tick(s(0)), beat('a1', s(1), { seq: 3, metrics: [sample(10)] })]);
    const snap = JSON.parse(JSON.stringify(snapshotDetector(first.d))) as ReturnType<typeof snapshotDetector>;
    const restored = restoreDetector({}, snap.meta, snap.agents);
    const { d, out } = run([beat('a1', s(2), { seq: 3, metrics: [sample(10)] }), ...ticks(s(3), s(61))], {}, restored);
    expect(d.stats.duplicateBeats).toBe(1);
    expect(summaries(out)[0]?.data).toMatchObject({ count: 1 });
  });

  it('restores a checkpoint written before seq was tracked as "no seq seen yet"', () => {
    const first = run([tick(s(0)), beat('a1', s(1), { seq: 3 })]);
    const snap = JSON.parse(JSON.stringify(snapshotDetector(first.d))) as ReturnType<typeof snapshotDetector>;
    for (const a of snap.agents) delete a.sq;
    const { d } = run([beat('a1', s(2), { seq: 3 })], {}, restoreDetector({}, snap.meta, snap.agents));
    expect(d.stats.duplicateBeats).toBe(0);
    expect(d.agents.get('default', 'a1')?.lastSeq).toBe(3);
  });
});
