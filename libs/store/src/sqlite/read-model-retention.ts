import type Database from 'better-sqlite3';
import { z } from 'zod';
import { HOUR_MS, mergeIntoHour, minuteFromRow, type MetricMinute, type MinuteRow } from './metric-rollup.ts';

const DAY_MS = 24 * 3600 * 1000;
/** `PRAGMA auto_vacuum` value meaning INCREMENTAL. */
const INCREMENTAL_AUTO_VACUUM = 2;

/** How long the read model keeps what it folded, measured in event time back from the newest event folded. */
export const ReadModelRetentionOptions = z.strictObject({
  /** Transitions (and the tombstones of forgotten agents that have no release point). Default 30 days. */
  transitionsMs: z.number().int().positive().default(30 * DAY_MS),
  /** 1-minute metric summaries; older ones are rolled up into hours first. Default 7 days. */
  metricMinutesMs: z.number().int().positive().default(7 * DAY_MS),
  /** 1-hour roll-ups. Default 90 days. */
  metricHoursMs: z.number().int().positive().default(90 * DAY_MS),
  /** Rows deleted (or minutes rolled up) per write transaction: small, so folding is never held up for long. */
  batchRows: z.number().int().positive().max(100_000).default(500),
  /** How often the projector-side sweep runs (wall clock), when the read model runs it on a timer. Default 60 s. */
  sweepIntervalMs: z.number().int().positive().default(60_000),
});
/** Retention of the read model, as given. */
export type ReadModelRetentionOptions = z.input<typeof ReadModelRetentionOptions>;
/** Retention of the read model, with defaults. */
export type ResolvedReadModelRetention = z.output<typeof ReadModelRetentionOptions>;

/** What one sweep removed. */
export interface RetentionSweepResult {
  /** Event time the retentions were measured back from (null: nothing folded yet, nothing pruned). */
  readonly horizon: number | null;
  readonly transitions: number;
  readonly minutesRolledUp: number;
  readonly hours: number;
  readonly tombstones: number;
  /** Write transactions used (each bounded by `batchRows`). */
  readonly steps: number;
  /** Free pages given back to the file system afterwards (files with incremental auto-vacuum only). */
  readonly pagesReleased: number;
}

/**
 * Prunes the read model in bounded steps: each step is one short write transaction of at most `batchRows` rows, and
 * `pause` is awaited between steps (the event loop serves requests and the projector folds in between). Never one
 * large DELETE: a statement over millions of rows would hold SQLite's write lock for seconds.
 *
 * Minutes past their retention are first merged into `rm_metric_hours` (whole hours only, sketches merged exactly),
 * then deleted in the same transaction, so the 1 h view loses nothing until the hours' own retention.
 */
export class ReadModelRetention {
  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    private readonly options: ResolvedReadModelRetention,
  ) {
    this.stmt = {
      horizon: db.prepare<[], { newest_time: number }>('SELECT newest_time FROM rm_clock WHERE id = 1'),
      tenants: db.prepare<[string], { tenant: string }>('SELECT DISTINCT tenant FROM rm_transitions WHERE tenant > ? ORDER BY tenant LIMIT 1'),
      deleteTransitions: db.prepare<[string, string, number, number]>(
        `DELETE FROM rm_transitions WHERE tenant = ? AND id IN
           (SELECT id FROM rm_transitions WHERE tenant = ? AND at < ? ORDER BY at LIMIT ?)`,
      ),
      agentsAfter: db.prepare<[string, string, number], { tenant: string; agent_id: string }>(
        'SELECT tenant, agent_id FROM rm_agents WHERE (tenant, agent_id) > (?, ?) ORDER BY tenant, agent_id LIMIT ?',
      ),
      oldMinutes: db.prepare<[string, string, number, number], MinuteRow>(
        `SELECT window_start, window_end, count, successes, failures, cost_usd, latency, latency_sum, sketch FROM rm_metric_minutes
         WHERE tenant = ? AND agent_id = ? AND window_start < ? ORDER BY window_start LIMIT ?`,
      ),
      hasOldMinute: db.prepare<[string, string, number], { one: number }>(
        'SELECT 1 AS one FROM rm_metric_minutes WHERE tenant = ? AND agent_id = ? AND window_start < ? LIMIT 1',
      ),
      hasOldHour: db.prepare<[string, string, number], { one: number }>(
        'SELECT 1 AS one FROM rm_metric_hours WHERE tenant = ? AND agent_id = ? AND hour_start < ? LIMIT 1',
      ),
      deleteMinutes: db.prepare<[string, string, number, number]>(
        'DELETE FROM rm_metric_minutes WHERE tenant = ? AND agent_id = ? AND window_start >= ? AND window_start < ?',
      ),
      getHour: db.prepare<[string, string, number], MinuteRow>(
        `SELECT hour_start AS window_start, hour_start + ${HOUR_MS} AS window_end, count, successes, failures, cost_usd, latency, latency_sum, sketch
         FROM rm_metric_hours WHERE tenant = ? AND agent_id = ? AND hour_start = ?`,
      ),
      putHour: db.prepare(
        `INSERT INTO rm_metric_hours (tenant, agent_id, hour_start, count, successes, failures, cost_usd, latency, latency_sum, sketch)
         VALUES (@tenant, @agentId, @hourStart, @count, @successes, @failures, @costUsd, @latency, @latencySum, @sketch)
         ON CONFLICT (tenant, agent_id, hour_start) DO UPDATE SET count = excluded.count, successes = excluded.successes,
           failures = excluded.failures, cost_usd = excluded.cost_usd, latency = excluded.latency,
           latency_sum = excluded.latency_sum, sketch = excluded.sketch`,
      ),
      deleteHours: db.prepare<[string, string, number]>('DELETE FROM rm_metric_hours WHERE tenant = ? AND agent_id = ? AND hour_start < ?'),
      // Only tombstones without a release point: the projector releases the others exactly (releaseTombstones), and
      // pruning one of those by age could let a late event of a forgotten life through after a long backlog.
      deleteTombstones: db.prepare<[number, number]>(
        `DELETE FROM rm_forgotten WHERE (tenant, agent_id) IN
           (SELECT tenant, agent_id FROM rm_forgotten WHERE release_offset IS NULL AND forgotten_at < ? LIMIT ?)`,
      ),
    };
  }

  /** One whole sweep, step by step, awaiting `pause` between steps. */
  async sweep(pause: () => Promise<void>): Promise<RetentionSweepResult> {
    const horizon = this.stmt.horizon.get()?.newest_time ?? null;
    const result = { horizon, transitions: 0, minutesRolledUp: 0, hours: 0, tombstones: 0, steps: 0, pagesReleased: 0 };
    if (horizon === null) return result;
    const { transitionsMs, metricMinutesMs, metricHoursMs, batchRows } = this.options;
    const step = async <T>(work: () => T): Promise<T> => {
      const value = this.db.transaction(work).immediate();
      result.steps++;
      await pause();
      return value;
    };

    // Transitions, tenant by tenant, oldest first through the (tenant, at) index.
    const transitionCut = horizon - transitionsMs;
    for (let tenant = this.stmt.tenants.get('')?.tenant; tenant !== undefined; tenant = this.stmt.tenants.get(tenant)?.tenant) {
      for (;;) {
        const t = tenant;
        const n = await step(() => this.stmt.deleteTransitions.run(t, t, transitionCut, batchRows).changes);
        result.transitions += n;
        if (n < batchRows) break;
      }
    }
    for (;;) {
      const n = await step(() => this.stmt.deleteTombstones.run(transitionCut, batchRows).changes);
      result.tombstones += n;
      if (n < batchRows) break;
    }

    // Minutes (rolled up into whole hours) and hours, agent by agent through their primary keys.
    const minuteCut = Math.floor((horizon - metricMinutesMs) / HOUR_MS) * HOUR_MS;
    const hourCut = horizon - metricHoursMs;
    let after = { tenant: '', agent_id: '' };
    for (;;) {
      const agents = this.stmt.agentsAfter.all(after.tenant, after.agent_id, Math.max(1, Math.floor(batchRows / 10)));
      if (agents.length === 0) break;
      for (const a of agents) {
        // A read first: most agents have nothing to prune, and a read takes no write lock.
        while (this.stmt.hasOldMinute.get(a.tenant, a.agent_id, minuteCut) !== undefined) {
          result.minutesRolledUp += await step(() => this.rollUpMinutes(a.tenant, a.agent_id, minuteCut));
        }
      }
      const old = agents.filter((a) => this.stmt.hasOldHour.get(a.tenant, a.agent_id, hourCut) !== undefined);
      if (old.length > 0) result.hours += await step(() => old.reduce((sum, a) => sum + this.stmt.deleteHours.run(a.tenant, a.agent_id, hourCut).changes, 0));
      after = agents[agents.length - 1]!;
      await pause();
    }

    // Pages freed above go back to the file system a bounded number at a time, so the file shrinks to what it holds
    // (with auto_vacuum INCREMENTAL, which openSqliteDatabase sets on new files; otherwise SQLite reuses them).
    if (this.db.pragma('auto_vacuum', { simple: true }) === INCREMENTAL_AUTO_VACUUM) {
      for (let free = this.freePages(); free > 0; ) {
        this.db.pragma(`incremental_vacuum(${Math.min(free, batchRows * 4)})`);
        const left = this.freePages();
        if (left >= free) break; // nothing released (the file is busy): the next sweep tries again
        result.pagesReleased += free - left;
        result.steps++;
        free = left;
        await pause();
      }
    }
    return result;
  }

  private freePages(): number {
    return Number(this.db.pragma('freelist_count', { simple: true }));
  }

  /** Rolls up at most `batchRows` minutes of one agent older than `cut` into their hours; returns how many. */
  private rollUpMinutes(tenant: string, agentId: string, cut: number): number {
    const rows = this.stmt.oldMinutes.all(tenant, agentId, cut, this.options.batchRows);
    if (rows.length === 0) return 0;
    // When the batch ends inside an hour, that hour's remaining minutes come in the next step and merge into the
    // stored hour then: merging is exact, so the split changes nothing.
    const byHour = new Map<number, MetricMinute[]>();
    for (const row of rows) {
      const hour = Math.floor(row.window_start / HOUR_MS) * HOUR_MS;
      let list = byHour.get(hour);
      if (list === undefined) byHour.set(hour, (list = []));
      list.push(minuteFromRow(row));
    }
    for (const [hour, minutes] of byHour) {
      const existing = this.stmt.getHour.get(tenant, agentId, hour);
      const merged = mergeIntoHour(hour, existing === undefined ? minutes : [minuteFromRow(existing), ...minutes]);
      this.stmt.putHour.run({
        tenant,
        agentId,
        hourStart: hour,
        count: merged.count,
        successes: merged.successes,
        failures: merged.failures,
        costUsd: merged.costUsd,
        latency: merged.latency === null ? null : JSON.stringify(merged.latency),
        latencySum: merged.latencySum,
        sketch: JSON.stringify(merged.sketch),
      });
    }
    const first = rows[0]!.window_start;
    const last = rows[rows.length - 1]!.window_start;
    this.stmt.deleteMinutes.run(tenant, agentId, first, last + 1);
    return rows.length;
  }
}
