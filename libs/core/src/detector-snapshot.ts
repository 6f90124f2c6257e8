import type { AgentStatus, SketchData } from '@vigil/contracts';
import { AgentState, NEVER } from './agent-state.ts';
import { Detector, type DetectorStats } from './detector.ts';
import type { DetectorConfig } from './detector-config.ts';
import { LatencySketch } from './latency-sketch.ts';
import { MetricAccumulator } from './metric-accumulator.ts';
import type { ThresholdOverrides } from './thresholds.ts';

/** Serialised open metric window of an agent. */
export interface MetricAccumulatorSnapshot {
  ws: number;
  c: number;
  su: number;
  cu: number;
  sk: { d: SketchData; n: number; min: number; max: number; sum: number } | null;
}

/** Serialised agent state: short keys because a checkpoint holds one per agent. */
export interface AgentSnapshot {
  k: string;
  t: string;
  q: number;
  s: AgentStatus | null;
  ss: number;
  lb: number;
  pa: number;
  c: number;
  f: number;
  i: string;
  /** `lastSeq`; absent in checkpoints written before repeats were detected. */
  sq?: number;
  iv: number;
  r: number;
  rr: number[] | null;
  fl: boolean;
  tr: number;
  o: ThresholdOverrides | null;
  g: number;
  qa: number | null;
  m: MetricAccumulatorSnapshot[] | null;
}

/** Serialised partition-level state of a detector. */
export interface DetectorMetaSnapshot {
  closedUpTo: number;
  lastTick: number;
  blindResumedAt: number;
  nextSeq: number;
  stats: DetectorStats;
  tenantOverrides: [string, ThresholdOverrides][];
  /** Tenant retentions (`forgetAfterMs`); absent in checkpoints written before retention existed. */
  tenantRetention?: [string, number][];
}

/** A whole detector: meta plus every agent (used by tests and small partitions; services store agents apart). */
export interface DetectorSnapshot {
  meta: DetectorMetaSnapshot;
  agents: AgentSnapshot[];
}

/** Serialises one agent. */
export function snapshotAgent(a: AgentState): AgentSnapshot {
  return {
    k: a.key,
    t: a.tenant,
    q: a.seq,
    s: a.status,
    ss: a.statusSince,
    lb: a.lastBeat,
    pa: a.progressAt,
    c: a.completed,
    f: a.inFlight,
    i: a.instanceId,
    sq: a.lastSeq,
    iv: a.intervalMs,
    r: a.restarts,
    rr: a.recentRestarts ? [...a.recentRestarts] : null,
    fl: a.flapping,
    tr: a.transitions,
    o: a.overrides ? { ...a.overrides } : null,
    g: a.gen,
    qa: a.queuedAt === Number.POSITIVE_INFINITY ? null : a.queuedAt,
    m: a.metrics
      ? a.metrics.map((m) => ({
          ws: m.windowStart,
          c: m.count,
          su: m.successes,
          cu: m.costUsd,
          sk: m.sketch ? { d: m.sketch.toData(), n: m.sketch.count, min: m.sketch.min, max: m.sketch.max, sum: m.sketch.sum } : null,
        }))
      : null,
  };
}

/** Rebuilds one agent. */
export function restoreAgentState(s: AgentSnapshot): AgentState {
  const a = new AgentState(s.t, s.k.slice(s.t.length + 1), s.q);
  a.status = s.s;
  a.statusSince = s.ss;
  a.lastBeat = s.lb;
  a.progressAt = s.pa;
  a.completed = s.c;
  a.inFlight = s.f;
  a.instanceId = s.i;
  a.lastSeq = s.sq ?? NEVER;
  a.intervalMs = s.iv;
  a.restarts = s.r;
  a.recentRestarts = s.rr ? [...s.rr] : null;
  a.flapping = s.fl;
  a.transitions = s.tr;
  a.overrides = s.o ? { ...s.o } : undefined;
  a.gen = s.g;
  a.queuedAt = s.qa ?? Number.POSITIVE_INFINITY;
  a.metrics = s.m
    ? s.m.map((m) => {
        const acc = new MetricAccumulator(m.ws);
        acc.count = m.c;
        acc.successes = m.su;
        acc.costUsd = m.cu;
        acc.sketch = m.sk ? LatencySketch.fromData(m.sk.d, { count: m.sk.n, min: m.sk.min, max: m.sk.max, sum: m.sk.sum }) : null;
        return acc;
      })
    : null;
  return a;
}

/** Serialises partition-level state. */
export function snapshotMeta(d: Detector): DetectorMetaSnapshot {
  return {
    closedUpTo: d.closedUpTo,
    lastTick: d.lastTick,
    blindResumedAt: d.blindResumedAt,
    nextSeq: d.nextSequence,
    stats: { ...d.stats },
    tenantOverrides: [...d.tenantOverrides.entries()].map(([t, o]) => [t, { ...o }]),
    tenantRetention: [...d.tenantRetention.entries()],
  };
}

/** Serialises a whole detector. */
export function snapshotDetector(d: Detector): DetectorSnapshot {
  return { meta: snapshotMeta(d), agents: [...d.agents.values()].map(snapshotAgent) };
}

/** Rebuilds a detector from its meta and agents, exactly as it was: the same future input gives the same output. */
export function restoreDetector(config: Partial<DetectorConfig>, meta: DetectorMetaSnapshot | null, agents: Iterable<AgentSnapshot>): Detector {
  const d = new Detector(config);
  if (meta) {
    d.closedUpTo = meta.closedUpTo;
    d.lastTick = meta.lastTick;
    d.blindResumedAt = meta.blindResumedAt;
    d.nextSequence = meta.nextSeq;
    Object.assign(d.stats, meta.stats);
    for (const [t, o] of meta.tenantOverrides) d.tenantOverrides.set(t, { ...o });
    for (const [t, ms] of meta.tenantRetention ?? []) d.tenantRetention.set(t, ms);
  }
  const restored = [...agents].map((snap) => restoreAgentState({ ...snap, t: d.internTenant(snap.t) })).sort((x, y) => x.seq - y.seq);
  for (const a of restored) d.restoreAgent(a);
  return d;
}
