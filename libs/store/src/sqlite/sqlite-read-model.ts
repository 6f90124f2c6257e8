import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import {
  agentKey,
  AgentStatus,
  InvalidEventError,
  isDeliverable,
  type AgentEvent,
  type AgentFlappingClearedEvent,
  type AgentForgottenFactEvent,
  type AgentKilledEvent,
  type AgentRegisteredEvent,
  type AgentRestartedEvent,
  type AgentView,
  type DetectorOutputEvent,
  type FleetSummary,
  type HeartbeatEvent,
  type MetricPoint,
  type MetricSummaryEvent,
  type Page,
  type EventLoopDelay,
  type Progress,
  type RetentionSetEvent,
  type StatusTransitionedEvent,
  type TransitionView,
} from '@vigil/contracts';
import { parseIsoMs } from '@vigil/core';
import { onThreadSignal, raiseThreadSignal } from '@vigil/log';
import { pino, type Logger } from 'pino';
import { StoreClosedError } from '../errors.ts';
import { extendsRun, type BeatRun, type RunBeat } from './beat-run.ts';
import { parseStoreOptions } from '../parse-options.ts';
import type {
  AgentFilter,
  LabelMatch,
  MetricQuery,
  ProjectionBatch,
  ProjectionCheckpoint,
  ReadModel,
  SequencedTransition,
  TenantRetention,
  Tombstone,
  TombstoneRelease,
  TransitionQuery,
} from '../read-model-port.ts';
import { mapSqliteError } from './map-sqlite-error.ts';
import { HOUR_MS, mergeIntoHour, minuteFromRow, minuteToPoint, rollUpHour, type MetricMinute, type MinuteRow } from './metric-rollup.ts';
import { openSqliteDatabase } from './open-database.ts';
import { SqliteReadModelOptions } from './options.ts';
import {
  decodeAgentCursor,
  decodeLastSeenCursor,
  decodeSeverityCursor,
  decodeTransitionCursor,
  encodeAgentCursor,
  encodeLastSeenCursor,
  encodeSeverityCursor,
  encodeTransitionCursor,
} from './page-cursor.ts';
import { prepareForgetting, type ReadModelForgetting } from './read-model-forget.ts';
import { ReadModelRetention, type RetentionSweepResult } from './read-model-retention.ts';
import { prepareTenantRetention, type ReadModelTenantRetention } from './read-model-tenant-retention.ts';
import { SEVERITY_ORDER, migrateReadModel } from './read-model-schema.ts';
import { ReadModelStatusChanges, type AgentStatusChange } from './read-model-status-changes.ts';

/** Interval assumed for an agent known only from the detector's output until its first beat is folded (the SDK default). */
const DEFAULT_INTERVAL_SECONDS = 30;
/** `lastReason` of an agent created by its first beat, until the detector's first transition replaces it. */
const FIRST_BEAT_REASON = 'first heartbeat received';
/** The statuses a dispatcher may send work to, as an SQL list (values come from the enum, never from input). */
const DELIVERABLE_SQL = AgentStatus.options
  .filter((s) => isDeliverable(s))
  .map((s) => `'${s}'`)
  .join(', ');

interface AgentRow {
  tenant: string;
  agent_id: string;
  status: AgentStatus;
  status_since: number;
  last_heartbeat_at: number | null;
  registered_at: number;
  instance_id: string | null;
  interval_seconds: number;
  restarts: number;
  flapping: number;
  progress: string | null;
  host: string | null;
  version: string | null;
  labels: string;
  last_reason: string;
  /** JSON of the last beat's `eventLoopDelayMs`. */
  event_loop_delay: string | null;
  severity: number;
  seen_order: number;
  killed_by: string | null;
  kill_reason: string | null;
  kill_at: number | null;
}

interface AgentCore {
  last_heartbeat_at: number | null;
  registered_at: number;
}

interface NewAgent {
  tenant: string;
  agentId: string;
  status: AgentStatus;
  statusSince: number;
  lastHeartbeatAt: number | null;
  registeredAt: number;
  instanceId: string | null;
  intervalSeconds: number;
  progress: string | null;
  host: string | null;
  version: string | null;
  labels: string;
  lastReason: string;
}

interface TransitionRow {
  tenant: string;
  id: string;
  agent_id: string;
  from_status: TransitionView['from'];
  to_status: AgentStatus;
  at: number;
  detected_at: number;
  reason: string;
  last_heartbeat_at: number | null;
  seq: number | null;
}

type Params = Record<string, string | number | null>;

const AGENT_SELECT = `
SELECT a.*, k.killed_by AS killed_by, k.reason AS kill_reason, k.at AS kill_at
FROM rm_agents a LEFT JOIN rm_kills k ON k.tenant = a.tenant AND k.agent_id = a.agent_id`;

/**
 * The id-ordered list filtered by a label, driven by the label index (tenant, key, value, agent_id), which is already
 * in id order: a page reads only agents carrying the first label, however few they are among the fleet. CROSS JOIN
 * keeps SQLite from reordering the tables.
 */
const LABELLED_AGENT_SELECT = `
SELECT a.*, k.killed_by AS killed_by, k.reason AS kill_reason, k.at AS kill_at
FROM rm_agent_labels l0 CROSS JOIN rm_agents a ON a.tenant = l0.tenant AND a.agent_id = l0.agent_id
LEFT JOIN rm_kills k ON k.tenant = a.tenant AND k.agent_id = a.agent_id`;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Event times were validated when decoded; a malformed one here is a poison event, never folded as NaN. */
function timeOf(value: string, field: string): number {
  const ms = parseIsoMs(value);
  if (Number.isNaN(ms)) throw new InvalidEventError(`${field} is not an ISO timestamp: ${JSON.stringify(value)}`, { field });
  return ms;
}

/** The JSON columns a beat sets on its agent's row (null: the beat does not carry it). */
function beatColumns(data: HeartbeatEvent['data']): { progress: string | null; labels: string | null; eventLoopDelay: string | null } {
  return {
    progress: data.progress === undefined ? null : JSON.stringify(data.progress),
    labels: data.labels === undefined ? null : JSON.stringify(data.labels),
    eventLoopDelay: data.eventLoopDelayMs === undefined ? null : JSON.stringify(data.eventLoopDelayMs),
  };
}

function toAgentView(row: AgentRow): AgentView {
  let killed: AgentView['killed'] = null;
  if (row.status === 'killed') {
    killed =
      row.killed_by !== null && row.kill_at !== null
        ? { by: row.killed_by, reason: row.kill_reason ?? '', at: iso(row.kill_at) }
        : // The transition was folded before its agent-killed event (they travel on different topics).
          { by: 'unknown', reason: row.last_reason, at: iso(row.status_since) };
  }
  return {
    tenant: row.tenant,
    agentId: row.agent_id,
    status: row.status,
    statusSince: iso(row.status_since),
    deliverable: isDeliverable(row.status),
    lastHeartbeatAt: row.last_heartbeat_at === null ? null : iso(row.last_heartbeat_at),
    registeredAt: iso(row.registered_at),
    instanceId: row.instance_id,
    intervalSeconds: row.interval_seconds,
    restarts: row.restarts,
    flapping: row.flapping !== 0,
    progress: row.progress === null ? null : (JSON.parse(row.progress) as Progress),
    host: row.host,
    version: row.version,
    labels: JSON.parse(row.labels) as Record<string, string>,
    killed,
    lastReason: row.last_reason,
    eventLoopDelayMs: row.event_loop_delay === null ? null : (JSON.parse(row.event_loop_delay) as EventLoopDelay),
  };
}

function toTransitionView(row: TransitionRow): TransitionView {
  return {
    id: row.id,
    tenant: row.tenant,
    agentId: row.agent_id,
    from: row.from_status,
    to: row.to_status,
    at: iso(row.at),
    detectedAt: iso(row.detected_at),
    reason: row.reason,
    lastHeartbeatAt: row.last_heartbeat_at === null ? null : iso(row.last_heartbeat_at),
  };
}

function pageLimit(limit: number): number {
  return Math.max(1, Math.floor(limit));
}

/** Upper bound of the strings that start with `prefix` (binary collation): the prefix and the highest code point. */
function prefixEnd(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

/** The label matches of a filter, one per key (a key given twice with two values can match nothing). */
function labelMatches(filter: AgentFilter): LabelMatch[] {
  return [...(filter.label === undefined ? [] : [filter.label]), ...(filter.labels ?? [])];
}

/** Seeks past the cursor and orders each sort through its own index (see read-model-schema.ts). */
const AGENT_ORDER = {
  id: { after: 'a.agent_id > @afterId', orderBy: 'a.agent_id' },
  severity: { after: '(a.severity, a.status_since, a.agent_id) > (@afterSeverity, @afterSince, @afterId)', orderBy: 'a.severity, a.status_since, a.agent_id' },
  lastSeen: { after: '(a.seen_order, a.agent_id) < (@afterSeen, @afterId)', orderBy: 'a.seen_order DESC, a.agent_id DESC' },
} as const;

/**
 * The default read model: SQLite tables folded from both topics. Every `apply` is one transaction that also moves
 * the partition's checkpoint, and it is a no-op when the checkpoint is already at or past the new one; transitions
 * and metric minutes are keyed by their identity and inserted only once, so replays never duplicate anything.
 */
export class SqliteReadModel implements ReadModel {
  private readonly db: Database.Database;
  private readonly ownsDatabase: boolean;
  private readonly logger: Logger;
  private readonly statementCache = new Map<string, Database.Statement<[Params], unknown>>();
  /** Thread-signal key of this file's folds (every thread of the process hears them), or null for a private in-memory file. */
  private readonly foldKey: string | null;
  /** Listeners of an in-memory read model (no other thread can share it). */
  private readonly foldListeners = new Set<() => void>();
  /** Set by `onStatusChanges`: its listeners hear each committed status change. */
  private statusChanges: ReadModelStatusChanges | null = null;
  private readonly statusListeners = new Set<(changes: readonly AgentStatusChange[]) => void>();
  /** Next transition sequence, read inside each apply transaction (another process may share the file). */
  private nextSeq = 0;
  private foldedTransitions = 0;
  private closed = false;
  private readonly forgetting: ReadModelForgetting;
  private readonly tenantRetentions: ReadModelTenantRetention;
  private readonly retention: ReadModelRetention;
  private readonly sweepTimer: NodeJS.Timeout | null;
  private sweeping: Promise<RetentionSweepResult> | null = null;
  /** Partition of the batch being folded. */
  private batchPartition = -1;
  /** Release points of the batch being folded, by agent key (`<tenant>/<agentId>`). */
  private releases: ReadonlyMap<string, TombstoneRelease> = new Map();
  /**
   * Beats of the batch being folded not written yet, one run per agent (BeatRun says when a run is exact): an agent
   * beating several times within a batch (a projector catching up on a backlog, a fleet beating faster than batches
   * turn over) costs one row write, not one per beat. Written before any other event is folded, and at the batch's end.
   */
  private readonly beatRuns = new Map<string, BeatRun>();

  private readonly stmt: {
    getCheckpoint: Database.Statement<[string, number], { next_offset: number }>;
    setCheckpoint: Database.Statement<[string, number, number]>;
    getAgentCore: Database.Statement<[string, string], AgentCore>;
    insertAgent: Database.Statement<[NewAgent]>;
    /** Positional: at, instanceId, intervalSeconds, progress, host, version, labels, eventLoopDelay, firstAt, tenant, agentId, at. */
    updateFromBeat: Database.Statement<[number, string, number, string | null, string | null, string | null, string | null, string | null, number, string, string, number]>;
    updateFromRegistration: Database.Statement<[Params]>;
    setEventLoopDelay: Database.Statement<[string, string, string]>;
    lowerRegisteredAt: Database.Statement<[number, string, string]>;
    deleteLabels: Database.Statement<[string, string]>;
    insertLabel: Database.Statement<[string, string, string, string]>;
    insertTransition: Database.Statement<[Params]>;
    updateStatus: Database.Statement<[Params]>;
    recordKill: Database.Statement<[Params]>;
    clearKill: Database.Statement<[Params]>;
    setRestarts: Database.Statement<[number, number, string, string]>;
    clearFlapping: Database.Statement<[string, string]>;
    insertMinute: Database.Statement<[Params]>;
    getAgent: Database.Statement<[string, string], AgentRow>;
    agentStatuses: Database.Statement<[string, string], { agent_id: string; status: AgentStatus }>;
    agentStatus: Database.Statement<[string, string], AgentStatus>;
    summary: Database.Statement<[string], { status: AgentStatus; n: number; flapping: number }>;
    totals: Database.Statement<[], { status: AgentStatus; n: number }>;
    getSeq: Database.Statement<[], { value: number }>;
    setSeq: Database.Statement<[number]>;
    transitionSeq: Database.Statement<[string, string], { seq: number | null }>;
    transitionsAfter: Database.Statement<[number, number], TransitionRow>;
    tenantTransitionsAfter: Database.Statement<[string, number, number], TransitionRow>;
    minutes: Database.Statement<[string, string, number, number, number], MinuteRow>;
    hours: Database.Statement<[string, string, number, number], MinuteRow>;
    advanceClock: Database.Statement<[number]>;
  };

  /** Opens (or shares) the SQLite file and creates the tables if needed; throws InvalidStoreOptionsError on bad options. */
  constructor(options: SqliteReadModelOptions) {
    const parsed = parseStoreOptions(SqliteReadModelOptions, options, 'SqliteReadModel');
    this.logger = (parsed.logger ?? pino({ level: 'silent' })).child({ module: 'sqlite-read-model' });
    if (parsed.database) {
      this.db = parsed.database;
      this.ownsDatabase = false;
    } else {
      this.db = openSqliteDatabase(parsed.path!, { busyTimeoutMs: parsed.busyTimeoutMs });
      this.ownsDatabase = true;
    }
    migrateReadModel(this.db);
    const db = this.db;
    this.foldKey = db.memory ? null : `read-model:folds:${resolve(db.name)}`;
    this.stmt = {
      getCheckpoint: db.prepare('SELECT next_offset FROM rm_checkpoints WHERE topic = ? AND partition = ?'),
      setCheckpoint: db.prepare(
        `INSERT INTO rm_checkpoints (topic, partition, next_offset) VALUES (?, ?, ?)
         ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
      ),
      getAgentCore: db.prepare('SELECT last_heartbeat_at, registered_at FROM rm_agents WHERE tenant = ? AND agent_id = ?'),
      insertAgent: db.prepare(
        `INSERT INTO rm_agents (tenant, agent_id, status, status_since, last_heartbeat_at, registered_at, instance_id,
                                interval_seconds, progress, host, version, labels, last_reason)
         VALUES (@tenant, @agentId, @status, @statusSince, @lastHeartbeatAt, @registeredAt, @instanceId,
                 @intervalSeconds, @progress, @host, @version, @labels, @lastReason)
         ON CONFLICT (tenant, agent_id) DO NOTHING`,
      ),
      // A beat that is not late (the agent's first, or not older than its last) moves last-seen and the details it
      // carries; registration time takes the earliest beat. It matches no row for a late beat or an unknown agent.
      // Positional parameters: it runs for nearly every beat, and binding 11 values by name cost
      // 2.5–3 µs more an UPDATE than by position (7.7–9.4 against 5.2–6.7 µs, measured alone on this table).
      updateFromBeat: db.prepare(
        `UPDATE rm_agents SET last_heartbeat_at = ?, instance_id = ?, interval_seconds = ?,
           progress = COALESCE(?, progress), host = COALESCE(?, host), version = COALESCE(?, version),
           labels = COALESCE(?, labels), event_loop_delay = COALESCE(?, event_loop_delay),
           registered_at = MIN(registered_at, ?)
         WHERE tenant = ? AND agent_id = ? AND (last_heartbeat_at IS NULL OR ? >= last_heartbeat_at)`,
      ),
      // A new agent's first beat (insertAgent does not carry it): only beats of the Node SDK do.
      setEventLoopDelay: db.prepare('UPDATE rm_agents SET event_loop_delay = ? WHERE tenant = ? AND agent_id = ?'),
      updateFromRegistration: db.prepare(
        `UPDATE rm_agents SET instance_id = @instanceId, interval_seconds = @intervalSeconds,
           host = COALESCE(@host, host), version = COALESCE(@version, version), labels = COALESCE(@labels, labels)
         WHERE tenant = @tenant AND agent_id = @agentId`,
      ),
      lowerRegisteredAt: db.prepare('UPDATE rm_agents SET registered_at = MIN(registered_at, ?) WHERE tenant = ? AND agent_id = ?'),
      deleteLabels: db.prepare('DELETE FROM rm_agent_labels WHERE tenant = ? AND agent_id = ?'),
      insertLabel: db.prepare('INSERT INTO rm_agent_labels (tenant, agent_id, key, value) VALUES (?, ?, ?, ?)'),
      insertTransition: db.prepare(
        `INSERT OR IGNORE INTO rm_transitions (tenant, id, agent_id, from_status, to_status, at, detected_at, reason, last_heartbeat_at, seq)
         VALUES (@tenant, @id, @agentId, @from, @to, @at, @detectedAt, @reason, @lastHeartbeatAt, @seq)`,
      ),
      updateStatus: db.prepare(
        `UPDATE rm_agents SET status = @to, status_since = @at, last_reason = @reason,
           last_heartbeat_at = CASE WHEN @lastHeartbeatAt IS NOT NULL AND (last_heartbeat_at IS NULL OR last_heartbeat_at < @lastHeartbeatAt)
                                    THEN @lastHeartbeatAt ELSE last_heartbeat_at END
         WHERE tenant = @tenant AND agent_id = @agentId`,
      ),
      recordKill: db.prepare(
        `INSERT INTO rm_kills (tenant, agent_id, killed_by, reason, at) VALUES (@tenant, @agentId, @by, @reason, @at)
         ON CONFLICT (tenant, agent_id) DO UPDATE SET killed_by = excluded.killed_by, reason = excluded.reason, at = excluded.at
         WHERE rm_kills.cleared_at IS NULL OR rm_kills.cleared_at < excluded.at`,
      ),
      clearKill: db.prepare(
        `INSERT INTO rm_kills (tenant, agent_id, cleared_at) VALUES (@tenant, @agentId, @at)
         ON CONFLICT (tenant, agent_id) DO UPDATE SET
           killed_by = CASE WHEN rm_kills.at <= excluded.cleared_at THEN NULL ELSE rm_kills.killed_by END,
           reason    = CASE WHEN rm_kills.at <= excluded.cleared_at THEN NULL ELSE rm_kills.reason END,
           at        = CASE WHEN rm_kills.at <= excluded.cleared_at THEN NULL ELSE rm_kills.at END,
           cleared_at = MAX(COALESCE(rm_kills.cleared_at, excluded.cleared_at), excluded.cleared_at)`,
      ),
      setRestarts: db.prepare('UPDATE rm_agents SET restarts = MAX(restarts, ?), flapping = ? WHERE tenant = ? AND agent_id = ?'),
      clearFlapping: db.prepare('UPDATE rm_agents SET flapping = 0 WHERE tenant = ? AND agent_id = ?'),
      insertMinute: db.prepare(
        `INSERT OR IGNORE INTO rm_metric_minutes (tenant, agent_id, window_start, window_end, count, successes, failures, cost_usd,
                                                  latency, latency_sum, sketch)
         VALUES (@tenant, @agentId, @windowStart, @windowEnd, @count, @successes, @failures, @costUsd, @latency, @latencySum, @sketch)`,
      ),
      getAgent: db.prepare(`${AGENT_SELECT} WHERE a.tenant = ? AND a.agent_id = ?`),
      // CROSS JOIN keeps json_each as the outer loop: with a plain JOIN the planner scanned the tenant's agents.
      agentStatus: db.prepare<[string, string], AgentStatus>('SELECT status FROM rm_agents WHERE tenant = ? AND agent_id = ?').pluck(),
      agentStatuses: db.prepare(
        'SELECT a.agent_id, a.status FROM json_each(?) AS j CROSS JOIN rm_agents a ON a.tenant = ? AND a.agent_id = j.value',
      ),
      summary: db.prepare('SELECT status, agents AS n, flapping FROM rm_fleet_counts WHERE tenant = ?'),
      totals: db.prepare('SELECT status, SUM(agents) AS n FROM rm_fleet_counts GROUP BY status'),
      getSeq: db.prepare("SELECT value FROM rm_meta WHERE key = 'transition_seq'"),
      setSeq: db.prepare(
        `INSERT INTO rm_meta (key, value) VALUES ('transition_seq', ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`,
      ),
      transitionSeq: db.prepare('SELECT seq FROM rm_transitions WHERE tenant = ? AND id = ?'),
      transitionsAfter: db.prepare('SELECT * FROM rm_transitions WHERE seq > ? ORDER BY seq LIMIT ?'),
      tenantTransitionsAfter: db.prepare('SELECT * FROM rm_transitions WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?'),
      minutes: db.prepare(
        `SELECT window_start, window_end, count, successes, failures, cost_usd, latency, latency_sum, sketch FROM rm_metric_minutes
         WHERE tenant = ? AND agent_id = ? AND window_start >= ? AND window_start < ? ORDER BY window_start LIMIT ?`,
      ),
      hours: db.prepare(
        `SELECT hour_start AS window_start, hour_start + ${HOUR_MS} AS window_end, count, successes, failures, cost_usd, latency, latency_sum, sketch
         FROM rm_metric_hours WHERE tenant = ? AND agent_id = ? AND hour_start >= ? AND hour_start < ? ORDER BY hour_start`,
      ),
      advanceClock: db.prepare(
        'INSERT INTO rm_clock (id, newest_time) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET newest_time = MAX(newest_time, excluded.newest_time)',
      ),
    };
    this.forgetting = prepareForgetting(db);
    this.tenantRetentions = prepareTenantRetention(db);
    this.retention = new ReadModelRetention(db, parsed.retention);
    if (parsed.retention.sweepIntervalMs > 0 && parsed.sweepOnTimer) {
      this.sweepTimer = setInterval(() => void this.sweepOnTimer(), parsed.retention.sweepIntervalMs);
      this.sweepTimer.unref(); // housekeeping: never what keeps a process alive
    } else {
      this.sweepTimer = null;
    }
  }

  /**
   * Prunes transitions, metric minutes (rolled up into hours first), hours and tombstones past their retention,
   * measured in event time back from the newest event folded, in bounded steps that yield to the event loop. Runs on
   * a timer unless `sweepOnTimer` is false; a call while a sweep runs joins it.
   */
  pruneRetention(): Promise<RetentionSweepResult> {
    this.assertOpen();
    return (this.sweeping ??= this.retention
      .sweep(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .finally(() => {
        this.sweeping = null;
        this.publishStatusChanges();
      }));
  }

  /** Folds events of one topic partition and advances its checkpoint in one transaction; a no-op if already applied. */
  async apply(
    events: readonly (AgentEvent | DetectorOutputEvent)[],
    checkpoint: ProjectionCheckpoint,
    tombstoneReleases?: readonly TombstoneRelease[],
  ): Promise<void> {
    return this.applyMany([{ events, checkpoint, ...(tombstoneReleases === undefined ? {} : { tombstoneReleases }) }]);
  }

  /**
   * Folds several topic partitions' batches in ONE transaction (each a no-op if its checkpoint is already there), so
   * the projector pays one commit for what all its partitions delivered in a turn of the event loop.
   */
  async applyMany(batches: readonly ProjectionBatch[]): Promise<void> {
    this.assertOpen();
    this.foldedTransitions = 0;
    try {
      this.db
        .transaction(() => {
          for (const { events, checkpoint, tombstoneReleases } of batches) {
            const current = this.stmt.getCheckpoint.get(checkpoint.topic, checkpoint.partition);
            if (current !== undefined && current.next_offset >= checkpoint.nextOffset) continue;
            this.releases = new Map((tombstoneReleases ?? []).map((r) => [`${r.tenant}/${r.agentId}`, r]));
            this.batchPartition = checkpoint.partition;
            const firstSeq = (this.stmt.getSeq.get()?.value ?? 0) + 1;
            this.nextSeq = firstSeq;
            let newest = Number.NEGATIVE_INFINITY;
            for (const event of events) {
              this.fold(event);
              const t = parseIsoMs(event.time);
              if (t > newest) newest = t;
            }
            this.writeBeatRuns();
            if (this.nextSeq > firstSeq) this.stmt.setSeq.run(this.nextSeq - 1);
            if (newest !== Number.NEGATIVE_INFINITY) this.stmt.advanceClock.run(newest);
            this.stmt.setCheckpoint.run(checkpoint.topic, checkpoint.partition, checkpoint.nextOffset);
          }
        })
        .immediate();
    } catch (err) {
      const where = batches.map(({ checkpoint }) => `${checkpoint.topic}/${checkpoint.partition}`).join(', ');
      throw mapSqliteError(err, `apply to the read model (${where})`);
    } finally {
      this.releases = new Map();
      this.beatRuns.clear();
      this.publishStatusChanges();
    }
    if (this.foldedTransitions > 0) {
      this.foldedTransitions = 0;
      if (this.foldKey !== null) raiseThreadSignal(this.foldKey, '');
      else for (const listener of this.foldListeners) this.callFoldListener(listener);
    }
  }

  /** Transitions folded after `afterSeq`, oldest first; of one tenant or of all. */
  async transitionsAfter(afterSeq: number, limit: number, tenant?: string): Promise<SequencedTransition[]> {
    this.assertOpen();
    const n = pageLimit(limit);
    const rows = tenant === undefined ? this.stmt.transitionsAfter.all(afterSeq, n) : this.stmt.tenantTransitionsAfter.all(tenant, afterSeq, n);
    return rows.map((row) => ({ seq: row.seq ?? 0, transition: toTransitionView(row) }));
  }

  /** The fold sequence of a tenant's transition, or null if not held (never folded, or pruned). */
  async transitionSeq(tenant: string, id: string): Promise<number | null> {
    this.assertOpen();
    return this.stmt.transitionSeq.get(tenant, id)?.seq ?? null;
  }

  /** The newest fold sequence, 0 before the first transition. */
  async latestTransitionSeq(): Promise<number> {
    this.assertOpen();
    return this.stmt.getSeq.get()?.value ?? 0;
  }

  /** Calls `listener` after every apply (by any instance on this file, in any thread) that folded new transitions; returns the unsubscribe. */
  onTransitionsFolded(listener: () => void): () => void {
    // The projector may fold on another thread (embedded mode's writer thread) or another instance on this file.
    if (this.foldKey !== null) return onThreadSignal(this.foldKey, () => this.callFoldListener(listener));
    this.foldListeners.add(listener);
    return () => this.foldListeners.delete(listener);
  }

  /**
   * Calls `listener` after each commit of this instance that changed agents' statuses (a row added, its status
   * changed, or the row deleted), with every such change in order, whichever write made it. For a cache of statuses
   * kept by another thread (embedded mode answers each heartbeat from one); only this instance's own writes are seen,
   * so it must be the file's one writer of the read model. Returns a function that removes the listener.
   */
  onStatusChanges(listener: (changes: readonly AgentStatusChange[]) => void): () => void {
    this.assertOpen();
    this.statusChanges ??= new ReadModelStatusChanges(this.db);
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private publishStatusChanges(): void {
    const tracker = this.statusChanges;
    if (tracker === null || this.closed || this.db.inTransaction) return;
    const changes = tracker.drain();
    if (changes.length === 0) return;
    for (const listener of this.statusListeners) {
      try {
        listener(changes);
      } catch (err) {
        this.logger.warn({ err }, 'a status-change listener threw');
      }
    }
  }

  private callFoldListener(listener: () => void): void {
    try {
      listener();
    } catch (err) {
      this.logger.error({ err }, 'a transition listener failed');
    }
  }

  /** The tenant's own retention folded from `retention-set`, or null (the platform default applies). */
  async tenantRetention(tenant: string): Promise<TenantRetention | null> {
    this.assertOpen();
    return this.tenantRetentions.get(tenant);
  }

  /** Tombstones that have a release point (the projector reloads them when it starts). */
  async tombstones(): Promise<Tombstone[]> {
    this.assertOpen();
    return this.forgetting.tombstones();
  }

  /** Deletes the tombstones of agent-events `partition` whose release offset `committedOffset` has reached. */
  async releaseTombstones(partition: number, committedOffset: number): Promise<number> {
    this.assertOpen();
    try {
      return this.db.transaction(() => this.forgetting.release(partition, committedOffset)).immediate();
    } catch (err) {
      throw mapSqliteError(err, `release tombstones of partition ${partition}`);
    } finally {
      this.publishStatusChanges();
    }
  }

  /** The next offset to read from a topic partition, or null if nothing was applied from it yet. */
  async checkpoint(topic: string, partition: number): Promise<number | null> {
    this.assertOpen();
    return this.stmt.getCheckpoint.get(topic, partition)?.next_offset ?? null;
  }

  /** One agent of a tenant, or null. */
  async getAgent(tenant: string, agentId: string): Promise<AgentView | null> {
    this.assertOpen();
    const row = this.stmt.getAgent.get(tenant, agentId);
    return row === undefined ? null : toAgentView(row);
  }

  /**
   * The status of each known agent among `agentIds`, in one query and without building views: what every heartbeat
   * answer needs (ingest's hot path; a whole view per beat of a batch of 1,000 was most of its cost).
   */
  async agentStatuses(tenant: string, agentIds: readonly string[]): Promise<Map<string, AgentStatus>> {
    this.assertOpen();
    const statuses = new Map<string, AgentStatus>();
    if (agentIds.length === 0) return statuses;
    if (agentIds.length === 1) {
      // A single beat (the common request): a point lookup costs less than setting up json_each.
      const status = this.stmt.agentStatus.get(tenant, agentIds[0]!);
      if (status !== undefined) statuses.set(agentIds[0]!, status);
      return statuses;
    }
    for (const row of this.stmt.agentStatuses.iterate(JSON.stringify(agentIds), tenant)) statuses.set(row.agent_id, row.status);
    return statuses;
  }

  /**
   * A tenant's agents matching the filter, one page at a time, in the filter's order: `id`, `severity` (worst status
   * first, then the oldest status first) or `lastSeen` (newest beat first, never-seen last). Each order pages through
   * its own index from the cursor, so the cost of a page does not grow with how far into the list it is.
   */
  async listAgents(tenant: string, filter: AgentFilter): Promise<Page<AgentView>> {
    this.assertOpen();
    const limit = pageLimit(filter.limit);
    const sort = filter.sort ?? 'id';
    const where = ['a.tenant = @tenant'];
    const params: Params = { tenant, limit: limit + 1 };
    if (filter.status !== undefined) {
      where.push('a.status = @status');
      params.status = filter.status;
      if (sort === 'severity') {
        // Pins the index's second column, so the cursor's seek applies within the one status.
        where.push('a.severity = @severity');
        params.severity = SEVERITY_ORDER.indexOf(filter.status);
      }
    }
    if (filter.deliverable !== undefined) where.push(`a.status ${filter.deliverable ? 'IN' : 'NOT IN'} (${DELIVERABLE_SQL})`);
    if (filter.flapping !== undefined) {
      where.push('a.flapping = @flapping');
      params.flapping = filter.flapping ? 1 : 0;
    }
    const labels = labelMatches(filter);
    const byLabelIndex = sort === 'id' && labels.length > 0;
    if (byLabelIndex) where.push('l0.tenant = @tenant AND l0.key = @labelKey0 AND l0.value = @labelValue0');
    labels.forEach((label, i) => {
      if (i > 0 || !byLabelIndex) {
        where.push(
          `EXISTS (SELECT 1 FROM rm_agent_labels l WHERE l.tenant = a.tenant AND l.agent_id = a.agent_id AND l.key = @labelKey${i} AND l.value = @labelValue${i})`,
        );
      }
      params[`labelKey${i}`] = label.key;
      params[`labelValue${i}`] = label.value;
    });
    if (filter.q !== undefined && filter.q !== '') {
      where.push(
        `((a.agent_id >= @q AND a.agent_id < @qEnd) OR EXISTS (SELECT 1 FROM rm_agent_labels l WHERE l.tenant = a.tenant AND l.agent_id = a.agent_id AND l.value >= @q AND l.value < @qEnd))`,
      );
      params.q = filter.q;
      params.qEnd = prefixEnd(filter.q);
    }
    if (filter.cursor !== undefined) {
      where.push(AGENT_ORDER[sort].after);
      if (sort === 'id') {
        params.afterId = decodeAgentCursor(filter.cursor).agentId;
      } else if (sort === 'severity') {
        const c = decodeSeverityCursor(filter.cursor);
        Object.assign(params, { afterSeverity: c.severity, afterSince: c.statusSince, afterId: c.agentId });
      } else {
        const c = decodeLastSeenCursor(filter.cursor);
        Object.assign(params, { afterSeen: c.seenOrder, afterId: c.agentId });
      }
    }
    const select = byLabelIndex ? LABELLED_AGENT_SELECT : AGENT_SELECT;
    const order = byLabelIndex ? 'l0.agent_id' : AGENT_ORDER[sort].orderBy;
    if (byLabelIndex && filter.cursor !== undefined) where.push('l0.agent_id > @afterId');
    const sql = `${select} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT @limit`;
    const rows = this.cached<AgentRow>(sql).all(params);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    let nextCursor: string | null = null;
    if (rows.length > limit && last !== undefined) {
      if (sort === 'id') nextCursor = encodeAgentCursor({ agentId: last.agent_id });
      else if (sort === 'severity') nextCursor = encodeSeverityCursor({ severity: last.severity, statusSince: last.status_since, agentId: last.agent_id });
      else nextCursor = encodeLastSeenCursor({ seenOrder: last.seen_order, agentId: last.agent_id });
    }
    return { items: page.map(toAgentView), nextCursor };
  }

  /** A tenant's (or one agent's) transitions, newest first, one page at a time. */
  async listTransitions(tenant: string, query: TransitionQuery): Promise<Page<TransitionView>> {
    this.assertOpen();
    const limit = pageLimit(query.limit);
    const where = ['tenant = @tenant'];
    const params: Params = { tenant, limit: limit + 1 };
    if (query.agentId !== undefined) {
      where.push('agent_id = @agentId');
      params.agentId = query.agentId;
    }
    if (query.cursor !== undefined) {
      const after = decodeTransitionCursor(query.cursor);
      where.push('(at < @afterAt OR (at = @afterAt AND id < @afterId))');
      params.afterAt = after.at;
      params.afterId = after.id;
    }
    const sql = `SELECT * FROM rm_transitions WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT @limit`;
    const rows = this.cached<TransitionRow>(sql).all(params);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toTransitionView),
      nextCursor: rows.length > limit && last !== undefined ? encodeTransitionCursor({ at: last.at, id: last.id }) : null,
    };
  }

  /** Counts of a tenant's agents per status (every status present), deliverable and flapping, from the kept counts. */
  async fleetSummary(tenant: string): Promise<FleetSummary> {
    this.assertOpen();
    const summary: FleetSummary = {
      tenant,
      total: 0,
      healthy: 0,
      degraded: 0,
      unreachable: 0,
      killed: 0,
      stopped: 0,
      stalled: 0,
      deliverable: 0,
      flapping: 0,
    };
    for (const row of this.stmt.summary.all(tenant)) {
      summary[row.status] += row.n;
      summary.total += row.n;
      summary.flapping += row.flapping;
      if (isDeliverable(row.status)) summary.deliverable += row.n;
    }
    return summary;
  }

  /** Agents per status over all tenants, every status present. */
  async fleetTotals(): Promise<Readonly<Record<AgentStatus, number>>> {
    this.assertOpen();
    const totals = Object.fromEntries(AgentStatus.options.map((s) => [s, 0])) as Record<AgentStatus, number>;
    for (const row of this.stmt.totals.all()) if (row.status in totals) totals[row.status] += row.n;
    return totals;
  }

  /**
   * An agent's metric windows, oldest first. At 1 h, a point is the whole hour starting at `windowStart`, included
   * when that start is within [from, to); it is rolled up from the stored minutes.
   */
  async metrics(tenant: string, agentId: string, query: MetricQuery): Promise<MetricPoint[]> {
    this.assertOpen();
    const limit = pageLimit(query.limit);
    const from = query.from ?? Number.MIN_SAFE_INTEGER;
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    if (query.resolution === '1m') return this.stmt.minutes.all(tenant, agentId, from, to, limit).map((r) => minuteToPoint(minuteFromRow(r)));

    const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
    const endHour = Math.min(Math.ceil(to / HOUR_MS) * HOUR_MS, Number.MAX_SAFE_INTEGER);
    const points: MetricPoint[] = [];
    // Hours already rolled up by retention come first in time; an hour found in both (minutes folded after its
    // roll-up) is merged, which is exact.
    const stored = new Map<number, MetricMinute>();
    for (const row of this.stmt.hours.iterate(tenant, agentId, firstHour, endHour)) stored.set(row.window_start, minuteFromRow(row));
    const flushStoredBefore = (start: number): boolean => {
      for (const [h, m] of stored) {
        if (h >= start) break;
        points.push(rollUpHour(h, [m]));
        stored.delete(h);
        if (points.length === limit) return true;
      }
      return false;
    };
    let hour: number | null = null;
    let minutes: MetricMinute[] = [];
    for (const row of this.stmt.minutes.iterate(tenant, agentId, firstHour, endHour, -1)) {
      const minute = minuteFromRow(row);
      const start = Math.floor(minute.windowStart / HOUR_MS) * HOUR_MS;
      if (start !== hour) {
        if (hour !== null) points.push(this.hourPoint(hour, minutes, stored));
        if (points.length === limit) return points;
        if (flushStoredBefore(start)) return points;
        hour = start;
        minutes = [];
      }
      minutes.push(minute);
    }
    if (hour !== null) points.push(this.hourPoint(hour, minutes, stored));
    if (points.length < limit) flushStoredBefore(Number.POSITIVE_INFINITY);
    return points.slice(0, limit);
  }

  /** Closes the file only if this read model opened it (after a sweep in progress has finished its step). */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    await this.sweeping?.catch(() => undefined);
    this.closed = true;
    if (this.ownsDatabase) this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError('SqliteReadModel');
  }

  private hourPoint(hour: number, minutes: MetricMinute[], stored: Map<number, MetricMinute>): MetricPoint {
    const rolled = stored.get(hour);
    if (rolled === undefined) return rollUpHour(hour, minutes);
    stored.delete(hour);
    return rollUpHour(hour, [mergeIntoHour(hour, [rolled, ...minutes])]);
  }

  private async sweepOnTimer(): Promise<void> {
    if (this.closed) return;
    try {
      const r = await this.pruneRetention();
      if (r.transitions + r.minutesRolledUp + r.hours + r.tombstones > 0) this.logger.debug({ ...r }, 'read model retention sweep');
    } catch (err) {
      this.logger.warn({ err: mapSqliteError(err, 'read model retention sweep') }, 'read model retention sweep failed; will try again');
    }
  }

  /** A prepared statement per distinct filter shape: there are few shapes, and preparing is the costly part. */
  private cached<Row>(sql: string): Database.Statement<[Params], Row> {
    let statement = this.statementCache.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<[Params], unknown>(sql);
      this.statementCache.set(sql, statement);
    }
    // The SQL text fixes the row shape, and each text is only ever built by one method.
    return statement as Database.Statement<[Params], Row>;
  }

  private fold(event: AgentEvent | DetectorOutputEvent): void {
    if (event.type === 'heartbeat') return this.queueBeat(event);
    // Every other event sees the rows as if each beat before it had been written at its place.
    if (this.beatRuns.size > 0) this.writeBeatRuns();
    switch (event.type) {
      case 'status-transitioned':
        return this.onTransition(event);
      case 'agent-killed':
        return this.onKilled(event);
      case 'agent-registered':
        return this.onRegistered(event);
      case 'agent-restarted':
        return this.onRestarted(event);
      case 'agent-flapping-cleared':
        return this.onFlappingCleared(event);
      case 'metric-summary':
        return this.onMetricSummary(event);
      case 'agent-forgotten':
        // The request (agent-events) changes nothing here; the detector's fact (status-transitions) drops the agent.
        if ('cause' in event.data) this.onForgotten(event as AgentForgottenFactEvent);
        return;
      case 'retention-set':
        return this.onRetentionSet(event);
      case 'tick':
      case 'agent-resumed':
      case 'agent-stopped':
      case 'thresholds-set':
        // Their effect on status reaches the read model as the detector's transitions.
        return;
      default: {
        const unknown: never = event;
        this.logger.warn({ event: unknown }, 'ignoring an event type the read model does not know');
      }
    }
  }

  private replaceLabels(tenant: string, agentId: string, labels: Readonly<Record<string, string>>): void {
    this.stmt.deleteLabels.run(tenant, agentId);
    for (const [key, value] of Object.entries(labels)) this.stmt.insertLabel.run(tenant, agentId, key, value);
  }

  /** Creates a row for an agent first seen in the detector's output; its first beat fills in the details. */
  private ensureAgent(tenant: string, agentId: string, at: number, status: AgentStatus, lastReason: string): void {
    this.stmt.insertAgent.run({
      tenant,
      agentId,
      status,
      statusSince: at,
      lastHeartbeatAt: null,
      registeredAt: at,
      instanceId: null,
      intervalSeconds: DEFAULT_INTERVAL_SECONDS,
      progress: null,
      host: null,
      version: null,
      labels: '{}',
      lastReason,
    });
  }

  /**
   * `retention-set` is written to every partition, and each partition's detector applies its own copies in that
   * partition's order. The read model keeps what partition 0's detector applies: its copies only, in log order (the
   * partitions are folded in any interleaving, so mixing their copies could step back to an older setting).
   */
  private onRetentionSet(event: RetentionSetEvent): void {
    if (this.batchPartition !== 0) return;
    this.tenantRetentions.set(event.tenant, event.data.forgetAfterMs, timeOf(event.time, 'time'), event.id);
  }

  private onForgotten(event: AgentForgottenFactEvent): void {
    const at = timeOf(event.time, 'time');
    const lastBeat = event.data.lastHeartbeatAt === null ? Number.NEGATIVE_INFINITY : timeOf(event.data.lastHeartbeatAt, 'data.lastHeartbeatAt');
    const release = this.releases.get(`${event.tenant}/${event.agentId}`);
    this.forgetting.forget(event.tenant, event.agentId, Math.max(at, lastBeat), at, release);
  }

  /** Adds a beat to its agent's run, writing the run first if the beat cannot join it. */
  private queueBeat(event: HeartbeatEvent): void {
    const beat: RunBeat = { event, at: timeOf(event.data.receivedAt, 'data.receivedAt') };
    const key = agentKey(event.tenant, event.agentId);
    const run = this.beatRuns.get(key);
    if (run !== undefined) {
      if (extendsRun(run, beat)) {
        run.push(beat);
        return;
      }
      this.beatRuns.delete(key);
      this.writeBeatRun(run);
    }
    this.beatRuns.set(key, [beat]);
  }

  private writeBeatRuns(): void {
    for (const run of this.beatRuns.values()) this.writeBeatRun(run);
    this.beatRuns.clear();
  }

  private writeBeatRun(run: BeatRun): void {
    const last = run[run.length - 1]!;
    if (run.length > 1 && this.updateFromBeat(last.event, last.at, run[0]!.at)) return;
    // A lone beat is folded as always. For several, no row of a live agent took the last one: a new agent, all beats
    // late, or a forgotten life (which needs each beat's time) — rare, so each beat is folded alone, as it would have been.
    for (const beat of run) this.onHeartbeat(beat.event, beat.at);
  }

  /** One beat's UPDATE of a known agent's row (registered-at lowered to `firstAt`); false if no row took it. */
  private updateFromBeat(event: HeartbeatEvent, at: number, firstAt: number): boolean {
    const { tenant, agentId, data } = event;
    const { progress, labels, eventLoopDelay } = beatColumns(data);
    const updated = this.stmt.updateFromBeat.run(at, data.instanceId, data.intervalSeconds, progress, data.host ?? null, data.version ?? null, labels, eventLoopDelay, firstAt, tenant, agentId, at);
    if (updated.changes === 0) return false;
    if (data.labels !== undefined) this.replaceLabels(tenant, agentId, data.labels);
    return true;
  }

  private onHeartbeat(event: HeartbeatEvent, at: number): void {
    // Most beats: a known agent, not late — one UPDATE, no SELECT first.
    if (this.updateFromBeat(event, at, at)) return;
    const { tenant, agentId, data } = event;
    // A late beat counts for registration time but never moves last-seen (or the details it carried) backwards.
    if (this.stmt.lowerRegisteredAt.run(at, tenant, agentId).changes > 0) return;
    if (this.forgetting.isForgotten(tenant, agentId, at)) return; // a beat of the forgotten life
    const { progress, labels, eventLoopDelay } = beatColumns(data);
    this.stmt.insertAgent.run({
      tenant,
      agentId,
      status: 'healthy',
      statusSince: at,
      lastHeartbeatAt: at,
      registeredAt: at,
      instanceId: data.instanceId,
      intervalSeconds: data.intervalSeconds,
      progress,
      host: data.host ?? null,
      version: data.version ?? null,
      labels: labels ?? '{}',
      lastReason: FIRST_BEAT_REASON,
    });
    if (data.labels !== undefined) this.replaceLabels(tenant, agentId, data.labels);
    if (eventLoopDelay !== null) this.stmt.setEventLoopDelay.run(eventLoopDelay, tenant, agentId);
  }

  private onTransition(event: StatusTransitionedEvent): void {
    const { tenant, agentId, data } = event;
    const at = timeOf(data.at, 'data.at');
    const lastHeartbeatAt = data.lastHeartbeatAt === null ? null : timeOf(data.lastHeartbeatAt, 'data.lastHeartbeatAt');
    const inserted = this.stmt.insertTransition.run({
      tenant,
      id: event.id,
      agentId,
      from: data.from,
      to: data.to,
      at,
      detectedAt: timeOf(data.detectedAt, 'data.detectedAt'),
      reason: data.reason,
      lastHeartbeatAt,
      seq: this.nextSeq,
    });
    // Already folded (a replay, or the detector re-emitting after a crash): the agent must not be moved again.
    if (inserted.changes === 0) return;
    this.nextSeq++;
    this.foldedTransitions++;
    this.ensureAgent(tenant, agentId, at, data.to, data.reason);
    this.stmt.updateStatus.run({ tenant, agentId, to: data.to, at, reason: data.reason, lastHeartbeatAt });
    if (data.from === 'killed' && data.to !== 'killed') this.stmt.clearKill.run({ tenant, agentId, at });
  }

  private onKilled(event: AgentKilledEvent): void {
    if (this.forgetting.isForgotten(event.tenant, event.agentId, timeOf(event.time, 'time'))) return;
    this.stmt.recordKill.run({
      tenant: event.tenant,
      agentId: event.agentId,
      by: event.data.by,
      reason: event.data.reason,
      at: timeOf(event.time, 'time'),
    });
  }

  private onRegistered(event: AgentRegisteredEvent): void {
    const { tenant, agentId, data } = event;
    const at = timeOf(event.time, 'time');
    const row = this.stmt.getAgentCore.get(tenant, agentId);
    if (row === undefined) {
      this.ensureAgent(tenant, agentId, at, 'healthy', FIRST_BEAT_REASON);
    } else if (at < row.registered_at) {
      this.stmt.lowerRegisteredAt.run(at, tenant, agentId);
    }
    // Beats carry fresher details; a registration only fills them in while no beat has been folded yet.
    if (row !== undefined && row.last_heartbeat_at !== null) return;
    this.stmt.updateFromRegistration.run({
      tenant,
      agentId,
      instanceId: data.instanceId,
      intervalSeconds: data.intervalSeconds,
      host: data.host ?? null,
      version: data.version ?? null,
      labels: data.labels === undefined ? null : JSON.stringify(data.labels),
    });
    if (data.labels !== undefined) this.replaceLabels(tenant, agentId, data.labels);
  }

  private onRestarted(event: AgentRestartedEvent): void {
    this.ensureAgent(event.tenant, event.agentId, timeOf(event.time, 'time'), 'healthy', FIRST_BEAT_REASON);
    this.stmt.setRestarts.run(event.data.restarts, event.data.flapping ? 1 : 0, event.tenant, event.agentId);
  }

  private onFlappingCleared(event: AgentFlappingClearedEvent): void {
    this.stmt.clearFlapping.run(event.tenant, event.agentId);
  }

  private onMetricSummary(event: MetricSummaryEvent): void {
    const { data } = event;
    this.stmt.insertMinute.run({
      tenant: event.tenant,
      agentId: event.agentId,
      windowStart: timeOf(data.windowStart, 'data.windowStart'),
      windowEnd: timeOf(data.windowEnd, 'data.windowEnd'),
      count: data.count,
      successes: data.successes,
      failures: data.failures,
      costUsd: data.costUsd,
      latency: data.latency === null ? null : JSON.stringify(data.latency),
      latencySum: data.latency === null ? 0 : data.latency.avg * data.latency.count,
      sketch: JSON.stringify(data.sketch),
    });
  }
}
