import type {
  AgentEvent,
  AgentForgottenEvent,
  AgentKilledEvent,
  AgentResumedEvent,
  AgentStatus,
  AgentStoppedEvent,
  DetectorOutputEvent,
  FromStatus,
  HeartbeatEvent,
  RetentionSetEvent,
  ThresholdsSetEvent,
} from '@vigil/contracts';
import { CONTRACT_VERSION } from '@vigil/contracts';
import { AgentIndex } from './agent-index.ts';
import { AgentState, NEVER } from './agent-state.ts';
import { contentId } from './content-id.ts';
import { DeadlineQueue } from './deadline-queue.ts';
import type { DetectorConfig } from './detector-config.ts';
import { detectorConfig } from './detector-config.ts';
import { formatIsoMs, parseIsoMs } from './iso-time.ts';
import { MetricAccumulator } from './metric-accumulator.ts';
import { applyOverride, resolveThresholds, type ResolvedThresholds, type ThresholdOverrides } from './thresholds.ts';

/** Counters the detector keeps about its input, exported as metrics and checkpointed with its state. */
export interface DetectorStats {
  /** Events whose event time fell in a window already closed: applied to last-seen only, never rewriting output. */
  lateEvents: number;
  /** Metric samples dropped because their minute had already been summarised. */
  lateMetricSamples: number;
  /** Times the platform was found to have been blind (a gap between ticks longer than `blindAfterMs`). */
  blindPeriods: number;
  /** Events that changed nothing (resume of an agent not killed, goodbye from an old instance, …). */
  ignoredEvents: number;
  /** Events whose time could not be read. */
  invalidEvents: number;
  /** Beats dropped as repeats: same instance, `seq` not above the last seen (a retried beat that was stored). */
  duplicateBeats: number;
  /** Agents forgotten, on request or by retention. */
  forgottenAgents: number;
}

const POP = { time: 0, item: undefined as AgentState | undefined, gen: 0 };

/**
 * The tumbling-window status detector for the agents of one log partition. Time advances only through tick events;
 * `apply` folds one input event and appends the resulting outputs (transitions, metric summaries, lifecycle facts)
 * to `out`. It never reads the wall clock and has no I/O: the same events give the same outputs, byte for byte, which
 * is what replay, golden tests and crash recovery stand on.
 */
export class Detector {
  readonly config: DetectorConfig;
  /** Every agent of this partition. */
  readonly agents = new AgentIndex();
  /** Tenant-wide threshold overrides. */
  readonly tenantOverrides = new Map<string, ThresholdOverrides>();
  readonly stats: DetectorStats = { lateEvents: 0, lateMetricSamples: 0, blindPeriods: 0, ignoredEvents: 0, invalidEvents: 0, duplicateBeats: 0, forgottenAgents: 0 };
  /** Tenant retentions (`forgetAfterMs`) that differ from the platform default. */
  readonly tenantRetention = new Map<string, number>();
  /** Keys (`<tenant>/<agentId>`) of agents forgotten since the last `takeForgotten()`, for checkpoint tombstones. */
  readonly forgotten = new Set<string>();
  /** Agents changed since the last `takeDirty()`, for incremental checkpoints. */
  readonly dirty = new Set<AgentState>();
  /** Every window ending at or before this has closed: its output is final. */
  closedUpTo = NEVER;
  /** Time of the last tick seen. */
  lastTick = NEVER;
  /**
   * The tick that ended the latest blind period. Silence and stall clocks never start before it, which is how a
   * blind period is forgiven for the whole fleet in O(1): an agent's anchor is derived, never rewritten.
   */
  blindResumedAt = NEVER;
  /** Thresholds of agents without overrides, by declared interval. */
  private readonly intervalThresholds = new Map<number, ResolvedThresholds>();
  /** One string per tenant, shared by its agents. */
  private readonly tenantNames = new Map<string, string>();
  /** Sequence number the next new agent gets (first-sight order). */
  nextSequence = 0;
  private readonly queue = new DeadlineQueue<AgentState>();
  /**
   * When each flapping agent's flag clears if it does not restart again: its last restart + the flapping window. An
   * entry's generation is the agent's restart count, so a later restart supersedes it (lazy deletion, as `queue`).
   */
  private readonly flappingQueue = new DeadlineQueue<AgentState>();
  /** Open metric windows by start time, each listing the agents with samples in it. */
  private readonly openMetricWindows = new Map<number, AgentState[]>();

  constructor(config: Partial<DetectorConfig> | DetectorConfig = {}) {
    this.config = detectorConfig(config);
  }

  /** Folds one event, appending outputs to `out`. */
  apply(event: AgentEvent, out: DetectorOutputEvent[]): void {
    switch (event.type) {
      case 'tick':
        return this.onTick(parseIsoMs(event.time), out);
      case 'heartbeat':
        return this.onHeartbeat(event, out);
      case 'agent-killed':
        return this.onKilled(event, out);
      case 'agent-resumed':
        return this.onResumed(event, out);
      case 'agent-stopped':
        return this.onStopped(event, out);
      case 'thresholds-set':
        return this.onThresholds(event);
      case 'agent-forgotten':
        return this.onForgotten(event, out);
      case 'retention-set':
        return this.onRetention(event);
    }
  }

  /** The thresholds in force for an agent. */
  thresholdsOf(agent: AgentState): ResolvedThresholds {
    const tenant = this.tenantOverrides.size === 0 ? undefined : this.tenantOverrides.get(agent.tenant);
    if (tenant === undefined && agent.overrides === undefined) {
      // The common case, on every beat: no overrides, so the thresholds depend on the interval alone; cached to keep
      // the hot path free of allocation.
      let cached = this.intervalThresholds.get(agent.intervalMs);
      if (cached === undefined) {
        cached = resolveThresholds(agent.intervalMs, this.config.thresholds, undefined, undefined);
        this.intervalThresholds.set(agent.intervalMs, cached);
      }
      return cached;
    }
    return resolveThresholds(agent.intervalMs, this.config.thresholds, tenant, agent.overrides);
  }

  /** Number of deadline-queue entries, for the benchmark and tests (superseded entries included). */
  get queueSize(): number {
    return this.queue.size;
  }

  /** How long the agent may stay stopped or unreachable before it is forgotten: its tenant's retention, else the platform's. */
  forgetAfterOf(agent: AgentState): number {
    return (this.tenantRetention.size === 0 ? undefined : this.tenantRetention.get(agent.tenant)) ?? this.config.forgetAfterMs;
  }

  /** Returns and clears the keys of agents forgotten since the last call (their checkpoint records become tombstones). */
  takeForgotten(): string[] {
    const keys = [...this.forgotten];
    this.forgotten.clear();
    return keys;
  }

  /** Returns and forgets the set of agents changed since the last call. */
  takeDirty(): AgentState[] {
    const changed = [...this.dirty];
    this.dirty.clear();
    return changed;
  }

  // ---- time ---------------------------------------------------------------------------------------------------

  private onTick(t: number, out: DetectorOutputEvent[]): void {
    if (Number.isNaN(t)) {
      this.stats.invalidEvents++;
      return;
    }
    if (this.lastTick !== NEVER && t <= this.lastTick) {
      if (t < this.lastTick) this.stats.lateEvents++;
      return;
    }
    if (this.lastTick !== NEVER && t - this.lastTick > this.config.blindAfterMs) this.recoverFromBlindness(t);
    this.lastTick = t;
    const w = this.config.windowMs;
    const closeTo = Math.floor(t / w) * w;
    if (closeTo <= this.closedUpTo) return;
    this.closeWindowsUpTo(closeTo, out);
  }

  /**
   * The platform saw nothing between the previous tick and `t` (ingest down, clock stopped, process restarted):
   * silence in that gap is the platform's fault, so every agent's silence and stall clocks restart at `t`, giving
   * each a full threshold from the resumption before it can be convicted. Deadlines that fell in the gap surface at
   * the next window close and are re-planned there, unevaluated.
   */
  private recoverFromBlindness(t: number): void {
    this.stats.blindPeriods++;
    this.blindResumedAt = t;
  }

  /** Silence is measured from here: the last beat, or the end of the latest blind period if later. */
  private anchorOf(agent: AgentState): number {
    return agent.lastBeat > this.blindResumedAt ? agent.lastBeat : this.blindResumedAt;
  }

  /** The stall clock's start: when progress last moved, or the end of the latest blind period if later. */
  private progressOf(agent: AgentState): number {
    if (agent.progressAt === NEVER) return NEVER;
    return agent.progressAt > this.blindResumedAt ? agent.progressAt : this.blindResumedAt;
  }

  private closeWindowsUpTo(closeTo: number, out: DetectorOutputEvent[]): void {
    const w = this.config.windowMs;
    while (this.queue.peekTime() <= closeTo) {
      this.queue.pop(POP);
      const agent = POP.item!;
      if (POP.gen !== agent.gen) continue; // superseded entry
      agent.queuedAt = Number.POSITIVE_INFINITY;
      const d = POP.time;
      if (d < this.blindResumedAt) {
        this.schedule(agent); // fell in a blind period: re-plan from the resumption
        // The re-plan changed the agent's queue entry (gen, queuedAt): checkpoint it, or a restored detector holds the
        // stale entry. (Its output would still match, since the stale entry is re-planned the same way when it
        // surfaces, but a checkpoint must be the state itself, not something that converges to it.)
        this.dirty.add(agent);
        continue;
      }
      if ((agent.status === 'stopped' || agent.status === 'unreachable') && d >= this.forgetDeadline(agent)) {
        const forgetAfter = formatDuration(this.forgetAfterOf(agent));
        this.forget(agent, d, 'retention', 'retention', `${agent.status} for ${forgetAfter} (retention ${forgetAfter})`, out);
        continue;
      }
      const next = this.statusAt(agent, d);
      if (next !== null && next !== agent.status) {
        const at = Math.max(d, agent.statusSince);
        this.transition(agent, next, at, Math.ceil(at / w) * w, this.silenceReason(agent, next, at), out);
      }
      this.schedule(agent);
      this.dirty.add(agent);
    }
    this.closedUpTo = closeTo;
    this.clearStableFlapping(closeTo, out);
    this.closeMetricWindows(out);
  }

  /**
   * Clears the flag of every flapping agent whose last restart is a whole flapping window old at `closeTo`: stable
   * for its window. Driven by the same window closes as transitions, so replay and a restored detector agree.
   */
  private clearStableFlapping(closeTo: number, out: DetectorOutputEvent[]): void {
    while (this.flappingQueue.peekTime() <= closeTo) {
      this.flappingQueue.pop(POP);
      const agent = POP.item!;
      if (!agent.flapping || POP.gen !== agent.restarts) continue; // superseded by a later restart
      agent.flapping = false;
      agent.recentRestarts = null; // every restart is now older than the window
      this.dirty.add(agent);
      this.flappingCleared(agent, POP.time, out);
    }
  }

  // ---- agent events ---------------------------------------------------------------------------------------------

  private agentFor(tenant: string, agentId: string): AgentState {
    let agent = this.agents.get(tenant, agentId);
    if (agent === undefined) {
      agent = new AgentState(this.internTenant(tenant), agentId, this.nextSequence++);
      this.agents.add(agent);
    }
    this.dirty.add(agent);
    return agent;
  }

  /** Returns the shared string for a tenant. */
  internTenant(tenant: string): string {
    let name = this.tenantNames.get(tenant);
    if (name === undefined) this.tenantNames.set(tenant, (name = tenant));
    return name;
  }

  private onHeartbeat(event: HeartbeatEvent, out: DetectorOutputEvent[]): void {
    const data = event.data;
    const r = parseIsoMs(data.receivedAt);
    if (Number.isNaN(r)) {
      this.stats.invalidEvents++;
      return;
    }
    const existing = this.agents.get(event.tenant, event.agentId);
    if (existing !== undefined && data.seq !== undefined && data.instanceId === existing.instanceId && data.seq <= existing.lastSeq) {
      // A repeat: the SDK retried a beat whose answer it never got, but the first copy was stored. Dropped whole (its
      // metric samples are already counted), before anything, even last-seen, is touched.
      this.stats.duplicateBeats++;
      return;
    }
    const late = r < this.closedUpTo;
    if (late) this.stats.lateEvents++;
    const agent = this.agentFor(event.tenant, event.agentId);
    const firstBeat = agent.lastBeat === NEVER;
    const restarted = !firstBeat && data.instanceId !== agent.instanceId;
    if (data.seq !== undefined) agent.lastSeq = restarted || data.seq > agent.lastSeq ? data.seq : agent.lastSeq;
    else if (restarted) agent.lastSeq = NEVER;
    if (r > agent.lastBeat) agent.lastBeat = r;
    agent.intervalMs = data.intervalSeconds * 1000;
    if (firstBeat) {
      out.push({
        type: 'agent-registered',
        version: CONTRACT_VERSION,
        id: contentId(`${agent.key}|registered|${r}`),
        tenant: agent.tenant,
        agentId: agent.agentId,
        time: formatIsoMs(r),
        data: {
          instanceId: data.instanceId,
          intervalSeconds: data.intervalSeconds,
          ...(data.host === undefined ? {} : { host: data.host }),
          ...(data.version === undefined ? {} : { version: data.version }),
          ...(data.labels === undefined ? {} : { labels: data.labels }),
        },
      });
    } else if (restarted) {
      this.onRestart(agent, data.instanceId, r, out);
    }
    if (firstBeat || restarted) agent.instanceId = data.instanceId;
    if (data.progress !== undefined) {
      const p = data.progress;
      if (firstBeat || restarted || p.completed !== agent.completed || (agent.inFlight === 0 && p.inFlight > 0)) agent.progressAt = r;
      agent.completed = p.completed;
      agent.inFlight = p.inFlight;
    }
    if (data.metrics !== undefined && data.metrics.length > 0) this.addMetrics(agent, r, data.metrics);
    if (agent.status === 'killed') return; // terminal until resume: beats update last-seen only
    const now = Math.max(r, this.closedUpTo);
    const next = this.beatsJustify(agent, now) ?? 'healthy'; // a beat revives a stopped agent
    if (next !== agent.status) {
      const at = Math.max(r, agent.statusSince);
      const reason = agent.status === null ? 'first heartbeat' : next === 'stalled' ? this.stallReason(agent) : `heartbeat received (instance ${data.instanceId})`;
      this.transition(agent, next, at, this.detectedAtFor(at), reason, out);
    }
    this.schedule(agent);
  }

  private onRestart(agent: AgentState, instanceId: string, r: number, out: DetectorOutputEvent[]): void {
    agent.restarts++;
    const { flappingRestarts, flappingWindowMs } = this.config;
    const recent = (agent.recentRestarts ??= []);
    recent.push(r);
    while (recent.length > 0 && recent[0]! <= r - flappingWindowMs) recent.shift();
    while (recent.length > flappingRestarts + 1) recent.shift();
    const wasFlapping = agent.flapping;
    agent.flapping = recent.length > flappingRestarts;
    out.push({
      type: 'agent-restarted',
      version: CONTRACT_VERSION,
      id: contentId(`${agent.key}|restarted|${agent.restarts}|${instanceId}|${r}`),
      tenant: agent.tenant,
      agentId: agent.agentId,
      time: formatIsoMs(r),
      data: { previousInstanceId: agent.instanceId, instanceId, restarts: agent.restarts, recentRestarts: recent.length, flapping: agent.flapping },
    });
    if (wasFlapping && !agent.flapping) this.flappingCleared(agent, r, out);
    if (agent.flapping) this.flappingQueue.push(r + flappingWindowMs, agent, agent.restarts);
  }

  private flappingCleared(agent: AgentState, at: number, out: DetectorOutputEvent[]): void {
    out.push({
      type: 'agent-flapping-cleared',
      version: CONTRACT_VERSION,
      id: contentId(`${agent.key}|flapping-cleared|${agent.restarts}|${at}`),
      tenant: agent.tenant,
      agentId: agent.agentId,
      time: formatIsoMs(at),
      data: { recentRestarts: agent.recentRestarts?.length ?? 0 },
    });
  }

  private onKilled(event: AgentKilledEvent, out: DetectorOutputEvent[]): void {
    const t = this.eventTime(event.time);
    if (t === null) return;
    const agent = this.agentFor(event.tenant, event.agentId);
    if (agent.status === 'killed') {
      this.stats.ignoredEvents++;
      return;
    }
    const at = Math.max(t, agent.statusSince);
    this.transition(agent, 'killed', at, this.detectedAtFor(at), `killed by ${event.data.by}: ${event.data.reason}`, out);
    this.unschedule(agent);
  }

  private onResumed(event: AgentResumedEvent, out: DetectorOutputEvent[]): void {
    const t = this.eventTime(event.time);
    if (t === null) return;
    const agent = this.agents.get(event.tenant, event.agentId);
    if (agent === undefined || agent.status !== 'killed') {
      this.stats.ignoredEvents++;
      return;
    }
    this.dirty.add(agent);
    const at = Math.max(t, agent.statusSince);
    const next = this.beatsJustify(agent, Math.max(at, this.closedUpTo)) ?? 'unreachable';
    const why = event.data.reason ? `: ${event.data.reason}` : '';
    const beats = agent.lastBeat === NEVER ? '; no heartbeat ever received' : '';
    this.transition(agent, next, at, this.detectedAtFor(at), `resumed by ${event.data.by}${why}${beats}`, out);
    this.schedule(agent);
  }

  private onStopped(event: AgentStoppedEvent, out: DetectorOutputEvent[]): void {
    const t = this.eventTime(event.time);
    if (t === null) return;
    const agent = this.agentFor(event.tenant, event.agentId);
    const staleInstance = event.data.instanceId !== undefined && agent.instanceId !== '' && event.data.instanceId !== agent.instanceId;
    if (agent.status === 'killed' || agent.status === 'stopped' || staleInstance) {
      // A goodbye from an instance that has already been replaced must not stop its successor.
      this.stats.ignoredEvents++;
      return;
    }
    const at = Math.max(t, agent.statusSince);
    const why = event.data.reason ? `: ${event.data.reason}` : '';
    this.transition(agent, 'stopped', at, this.detectedAtFor(at), `graceful shutdown${why}`, out);
    this.reschedule(agent); // its next deadline is the retention's
  }

  private onForgotten(event: AgentForgottenEvent, out: DetectorOutputEvent[]): void {
    const t = this.eventTime(event.time);
    if (t === null) return;
    const agent = this.agents.get(event.tenant, event.agentId);
    if (agent === undefined) {
      this.stats.ignoredEvents++; // already forgotten, or never seen: nothing to drop
      return;
    }
    this.forget(agent, t, 'operator', event.data.by, event.data.reason === '' ? `forgotten by ${event.data.by}` : event.data.reason, out);
  }

  private onRetention(event: RetentionSetEvent): void {
    const ms = event.data.forgetAfterMs;
    if (ms === null) this.tenantRetention.delete(event.tenant);
    else this.tenantRetention.set(event.tenant, ms);
    // Rare operator action: re-plan every agent of the tenant (O(tenant's agents)), as for tenant thresholds.
    for (const agent of this.agents.ofTenant(event.tenant)) {
      this.reschedule(agent);
      this.dirty.add(agent);
    }
  }

  /**
   * Drops every trace of the agent: its index entry, queue entry (superseded by the generation bump), open metric
   * windows and dirty mark; its checkpoint record becomes a tombstone. The `agent-forgotten` fact is its last output:
   * whatever the agent does next starts a new life, first sight, `unknown → healthy`.
   */
  private forget(agent: AgentState, at: number, cause: 'operator' | 'retention', by: string, reason: string, out: DetectorOutputEvent[]): void {
    this.unschedule(agent);
    this.agents.delete(agent);
    this.dirty.delete(agent);
    this.forgotten.add(agent.key);
    for (const acc of agent.metrics ?? []) {
      const list = this.openMetricWindows.get(acc.windowStart);
      if (list === undefined) continue;
      const i = list.indexOf(agent);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.openMetricWindows.delete(acc.windowStart);
    }
    agent.metrics = null;
    this.stats.forgottenAgents++;
    out.push({
      type: 'agent-forgotten',
      version: CONTRACT_VERSION,
      id: contentId(`${agent.key}|forgotten|${agent.transitions}|${at}`),
      tenant: agent.tenant,
      agentId: agent.agentId,
      time: formatIsoMs(at),
      data: {
        cause,
        by,
        reason,
        lastStatus: agent.status ?? 'unknown',
        lastHeartbeatAt: agent.lastBeat === NEVER ? null : formatIsoMs(agent.lastBeat),
      },
    });
  }

  private onThresholds(event: ThresholdsSetEvent): void {
    if (event.agentId !== undefined) {
      const agent = this.agentFor(event.tenant, event.agentId);
      agent.overrides = applyOverride(agent.overrides, event.data);
      this.reschedule(agent);
      return;
    }
    const next = applyOverride(this.tenantOverrides.get(event.tenant), event.data);
    if (next === undefined) this.tenantOverrides.delete(event.tenant);
    else this.tenantOverrides.set(event.tenant, next);
    // Rare operator action: re-plan every agent of the tenant (O(tenant's agents)).
    for (const agent of this.agents.ofTenant(event.tenant)) {
      this.reschedule(agent);
      this.dirty.add(agent);
    }
  }

  // ---- status rules -----------------------------------------------------------------------------------------

  /** The agent's status at time `t` without new input: killed and stopped hold; otherwise what the beats justify. */
  private statusAt(agent: AgentState, t: number): AgentStatus | null {
    if (agent.status === 'killed' || agent.status === 'stopped') return agent.status;
    return this.beatsJustify(agent, t);
  }

  /** The status the agent's beats alone justify at time `t` (null before its first beat). */
  private beatsJustify(agent: AgentState, t: number): AgentStatus | null {
    if (agent.lastBeat === NEVER) return null;
    const th = this.thresholdsOf(agent);
    const silence = t - this.anchorOf(agent);
    if (silence >= th.unreachableAfterMs) return 'unreachable';
    if (silence >= th.degradedAfterMs) return 'degraded';
    if (agent.inFlight > 0 && agent.progressAt !== NEVER && t - this.progressOf(agent) >= th.stalledAfterMs) return 'stalled';
    return 'healthy';
  }

  /**
   * When a stopped or unreachable agent is forgotten: `forgetAfter` after it took that status, or after the latest
   * blind period if later (the platform's own silence never counts against an agent).
   */
  private forgetDeadline(agent: AgentState): number {
    return Math.max(agent.statusSince, this.blindResumedAt) + this.forgetAfterOf(agent);
  }

  /** When the agent's status would next change without new input (or it would be forgotten), or +Infinity. */
  private nextDeadline(agent: AgentState): number {
    const s = agent.status;
    if (s === 'stopped' || s === 'unreachable') return this.forgetDeadline(agent);
    if (s === null || s === 'killed' || agent.lastBeat === NEVER) return Number.POSITIVE_INFINITY;
    const th = this.thresholdsOf(agent);
    const anchor = this.anchorOf(agent);
    if (s === 'degraded') return anchor + th.unreachableAfterMs;
    const silent = anchor + th.degradedAfterMs;
    if (s === 'healthy' && agent.inFlight > 0 && agent.progressAt !== NEVER) return Math.min(silent, this.progressOf(agent) + th.stalledAfterMs);
    return silent;
  }

  /**
   * Makes sure the queue holds an entry no later than the agent's next deadline. A beat only moves the deadline
   * later, so the common case costs nothing here: the existing entry surfaces early and is re-queued then.
   */
  private schedule(agent: AgentState): void {
    const d = this.nextDeadline(agent);
    if (d === Number.POSITIVE_INFINITY || d >= agent.queuedAt) return;
    agent.gen++;
    agent.queuedAt = d;
    this.queue.push(d, agent, agent.gen);
  }

  /** Re-queues after a deadline may have moved earlier or later (threshold change). */
  private reschedule(agent: AgentState): void {
    this.unschedule(agent);
    this.schedule(agent);
  }

  private unschedule(agent: AgentState): void {
    agent.gen++;
    agent.queuedAt = Number.POSITIVE_INFINITY;
  }

  private transition(agent: AgentState, to: AgentStatus, at: number, detectedAt: number, reason: string, out: DetectorOutputEvent[]): void {
    const from: FromStatus = agent.status ?? 'unknown';
    agent.transitions++;
    agent.status = to;
    agent.statusSince = at;
    this.dirty.add(agent);
    out.push({
      type: 'status-transitioned',
      version: CONTRACT_VERSION,
      id: contentId(`${agent.key}|${agent.transitions}|${from}|${to}|${at}`),
      tenant: agent.tenant,
      agentId: agent.agentId,
      time: formatIsoMs(at),
      data: {
        from,
        to,
        at: formatIsoMs(at),
        detectedAt: formatIsoMs(detectedAt),
        reason,
        lastHeartbeatAt: agent.lastBeat === NEVER ? null : formatIsoMs(agent.lastBeat),
      },
    });
  }

  private silenceReason(agent: AgentState, to: AgentStatus, at: number): string {
    if (to === 'stalled') return this.stallReason(agent);
    const th = this.thresholdsOf(agent);
    const limit = to === 'unreachable' ? th.unreachableAfterMs : th.degradedAfterMs;
    const anchor = this.anchorOf(agent);
    const blind = anchor > agent.lastBeat ? `; the platform was blind until ${formatIsoMs(anchor)}, silence counted from then` : '';
    return `no heartbeat for ${formatDuration(at - anchor)} (threshold ${formatDuration(limit)})${blind}`;
  }

  private stallReason(agent: AgentState): string {
    return `${agent.inFlight} in flight, no progress for ${formatDuration(this.thresholdsOf(agent).stalledAfterMs)} (completed ${agent.completed})`;
  }

  /** Output of an event handled now lands in the window being built: never in one already closed. */
  private detectedAtFor(at: number): number {
    const w = this.config.windowMs;
    return Math.max(Math.ceil(at / w) * w, this.closedUpTo);
  }

  private eventTime(iso: string): number | null {
    const t = parseIsoMs(iso);
    if (Number.isNaN(t)) {
      this.stats.invalidEvents++;
      return null;
    }
    if (t < this.closedUpTo) this.stats.lateEvents++;
    return t;
  }

  // ---- metric windows ---------------------------------------------------------------------------------------

  private addMetrics(agent: AgentState, r: number, samples: NonNullable<HeartbeatEvent['data']['metrics']>): void {
    const mw = this.config.metricWindowMs;
    const start = Math.floor(r / mw) * mw;
    if (start + mw <= this.closedUpTo) {
      this.stats.lateMetricSamples += samples.length;
      return;
    }
    let acc = agent.metrics?.find((m) => m.windowStart === start);
    if (acc === undefined) {
      acc = new MetricAccumulator(start);
      (agent.metrics ??= []).push(acc);
      let list = this.openMetricWindows.get(start);
      if (list === undefined) this.openMetricWindows.set(start, (list = []));
      list.push(agent);
    }
    acc.addAll(samples);
  }

  private closeMetricWindows(out: DetectorOutputEvent[]): void {
    if (this.openMetricWindows.size === 0) return;
    const mw = this.config.metricWindowMs;
    const due = [...this.openMetricWindows.keys()].filter((s) => s + mw <= this.closedUpTo).sort((a, b) => a - b);
    for (const start of due) {
      // First-sight order, not arrival order: a detector restored from a checkpoint cannot know the arrival order,
      // and both must emit the same bytes.
      const agents = this.openMetricWindows.get(start)!.sort((a, b) => a.seq - b.seq);
      for (const agent of agents) {
        const idx = agent.metrics?.findIndex((m) => m.windowStart === start) ?? -1;
        if (idx < 0) continue;
        const acc = agent.metrics![idx]!;
        agent.metrics!.splice(idx, 1);
        if (agent.metrics!.length === 0) agent.metrics = null;
        this.dirty.add(agent);
        out.push({
          type: 'metric-summary',
          version: CONTRACT_VERSION,
          id: contentId(`${agent.key}|metric|${start}`),
          tenant: agent.tenant,
          agentId: agent.agentId,
          time: formatIsoMs(start + mw),
          data: acc.summarise(mw),
        });
      }
      this.openMetricWindows.delete(start);
    }
  }

  // ---- checkpoints --------------------------------------------------------------------------------------------

  /** Re-indexes an agent restored from a checkpoint (queue entry and open metric windows). */
  restoreAgent(agent: AgentState): void {
    this.agents.add(agent);
    if (agent.seq >= this.nextSequence) this.nextSequence = agent.seq + 1;
    if (agent.queuedAt !== Number.POSITIVE_INFINITY) this.queue.push(agent.queuedAt, agent, agent.gen);
    const lastRestart = agent.recentRestarts?.at(-1);
    if (agent.flapping && lastRestart !== undefined) this.flappingQueue.push(lastRestart + this.config.flappingWindowMs, agent, agent.restarts);
    for (const acc of agent.metrics ?? []) {
      let list = this.openMetricWindows.get(acc.windowStart);
      if (list === undefined) this.openMetricWindows.set(acc.windowStart, (list = []));
      list.push(agent);
    }
  }
}

/** Human duration for reasons: `90s`, `5m`, `1m30s`, `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest === 0 ? `${m}m` : `${m}m${rest}s`;
  const h = Math.floor(m / 60);
  const rm = m % 60;
  return `${h}h${rm === 0 ? '' : `${rm}m`}${rest === 0 ? '' : `${rest}s`}`;
}
