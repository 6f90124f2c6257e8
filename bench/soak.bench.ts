/**
 * Soak: 10,000 agents driven through 30 days of event time on the embedded log, replay-fast — events with their
 * event times are written straight into the log (ticks once a minute of event time, every partition), and the real
 * detector and projector services fold them into the event store and the read model. Every simulated day ~5 % of the
 * fleet says goodbye and ~5 % goes silent for good, replaced by new agents; the tenant's retention forgets the
 * stopped and unreachable ones. After each day the read model's retention sweep runs, and the sizes of the three
 * SQLite files (log, event store, read model) and their row counts are printed: the event store and the read model
 * level off once the retentions are reached.
 *
 * Scaled so that it finishes in a few minutes on 2 cores: a beat a day (each with a metric sample), thresholds
 * 26 h / 36 h (tenant-wide, set on the log), retention 3 d, read model keeping 10 d of transitions, 2 d of minutes and 7 d of hours — every limit
 * reached well inside the 30 days, so the plateau is visible. `SOAK_*` variables change the tier (see below).
 * The log's own retention is by wall-clock age (as on Kafka), which an accelerated run cannot wait for: its sweep is
 * called with the wall time the simulated day maps to (see the loop), so the log file levels off too.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { CONTRACT_VERSION, agentKey, topicNames, type AgentEvent } from '@vigil/contracts';
import { DetectorService, defaultDetectorServiceOptions } from '@vigil/detector';
import { EmbeddedLog, type EventLog, type ProduceRecord } from '@vigil/log';
import { ProjectorService } from '@vigil/projector';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import { pino } from 'pino';
import { AGENT_EVENTS_RETENTION_MS, TRANSITIONS_RETENTION_MS, ensurePlatformTopics } from '../libs/cli/src/platform/platform-topics.ts';
import { projectorOptionsFor } from '../libs/cli/src/platform/services.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AGENTS = Number(process.env.SOAK_AGENTS ?? 10_000);
const DAYS = Number(process.env.SOAK_DAYS ?? 30);
const BEAT_EVERY_MS = Number(process.env.SOAK_BEAT_EVERY_H ?? 24) * HOUR;
const CHURN = Number(process.env.SOAK_CHURN ?? 0.05);
const PARTITIONS = 4;
const TENANT = 'soak';
const FORGET_AFTER_MS = 3 * DAY;
const RETENTION = { transitionsMs: 10 * DAY, metricMinutesMs: 2 * DAY, metricHoursMs: 7 * DAY };
const T0 = Date.UTC(2026, 0, 1);

const iso = (ms: number): string => new Date(ms).toISOString();
const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1);

function fileBytes(path: string): number {
  let total = 0;
  for (const f of [path, `${path}-wal`]) if (existsSync(f)) total += statSync(f).size;
  return total;
}

/** One fleet slot: the agent occupying it now, and how many beats it has sent. */
interface Slot {
  id: string;
  seq: number;
  /** Offset of its beats within each beat period, so the fleet's beats spread evenly. */
  phase: number;
  /** 'beating', or going away today: 'stop' (goodbye) or 'silent' (never beats again). */
  fate: 'beating' | 'stop' | 'silent';
}

async function caughtUp(log: EventLog, group: string, topic: string): Promise<boolean> {
  for (let p = 0; p < PARTITIONS; p++) {
    const end = await log.endOffset(topic, p);
    if (((await log.committedOffset(group, topic, p)) ?? 0) < end) return false;
  }
  return true;
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

/** Runs the soak and prints one line per simulated day, then a JSON line. */
export async function runSoakBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-soak-'));
  const files = { log: join(dir, 'log.db'), store: join(dir, 'store.db'), readModel: join(dir, 'read-model.db') };
  const logger = pino({ level: 'warn' });
  const topics = topicNames('vigil.');
  const log = new EmbeddedLog({ path: files.log, logger, retentionCheckIntervalMs: 3_600_000 });
  await ensurePlatformTopics(log, topics, PARTITIONS);
  const store = new SqliteEventStore({ path: files.store, logger });
  const readModel = new SqliteReadModel({ path: files.readModel, logger, sweepOnTimer: false, retention: RETENTION });
  const detector = new DetectorService(
    { log, topics, logger },
    // One tick a minute of event time: windows of a minute, and blindness judged over a longer gap than that.
    { ...defaultDetectorServiceOptions('vigil.', { windowMs: 60_000, blindAfterMs: 2 * HOUR }), maxBatchSize: 5000 },
  );
  const projector = new ProjectorService({ log, topics, logger, readModel, store }, projectorOptionsFor('vigil.'));
  await detector.start();
  await projector.start();
  const counts = new Database(files.readModel, { readonly: true });
  const count = (table: string): number => (counts.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const streams = new Database(files.store, { readonly: true });
  const storeEvents = (): number => (streams.prepare('SELECT COUNT(*) AS n FROM es_events').get() as { n: number }).n;

  let ids = 0;
  let generation = 0;
  const slots: Slot[] = Array.from({ length: AGENTS }, (_, i) => ({ id: `agent-${i}`, seq: 0, phase: Math.floor((i / AGENTS) * BEAT_EVERY_MS), fate: 'beating' }));
  const tenantWide = (event: AgentEvent): ProduceRecord[] => Array.from({ length: PARTITIONS }, (_, partition) => ({ key: null, value: JSON.stringify(event), partition }));
  await log.append(topics.agentEvents, [
    ...tenantWide({ type: 'thresholds-set', version: CONTRACT_VERSION, id: 'soak-thresholds', tenant: TENANT, time: iso(T0), data: { degradedAfterMs: BEAT_EVERY_MS + 2 * HOUR, unreachableAfterMs: Math.round(BEAT_EVERY_MS * 1.5) } }),
    ...tenantWide({ type: 'retention-set', version: CONTRACT_VERSION, id: 'soak-retention', tenant: TENANT, time: iso(T0), data: { forgetAfterMs: FORGET_AFTER_MS } }),
  ]);

  console.log(`soak: ${AGENTS} agents, ${DAYS} days of event time, a beat every ${BEAT_EVERY_MS / HOUR} h with a metric sample, ${CHURN * 100}% stop and ${CHURN * 100}% go silent each day`);
  console.log(`      retention ${FORGET_AFTER_MS / DAY} d; read model keeps transitions ${RETENTION.transitionsMs / DAY} d, minutes ${RETENTION.metricMinutesMs / DAY} d, hours ${RETENTION.metricHoursMs / DAY} d; files in ${dir}`);
  console.log('day  agents  forgotten  transitions  minutes   hours  store-events  read-model MB  store MB  log MB  events  elapsed s');
  const started = performance.now();
  const wallDayStart: number[] = [];
  const rows: { day: number; readModelBytes: number; storeBytes: number; logBytes: number; agents: number }[] = [];
  let events = 0;
  for (let day = 0; day < DAYS; day++) {
    wallDayStart.push(Date.now());
    const dayStart = T0 + day * DAY;
    // Churn: a share of the slots leaves today (at its first beat time) and a new agent takes its place tomorrow.
    for (let i = 0; i < slots.length; i++) {
      const r = (i * 7919 + day * 104729) % 1000;
      slots[i]!.fate = r < CHURN * 1000 ? 'stop' : r < 2 * CHURN * 1000 ? 'silent' : 'beating';
    }
    const byMinute = new Map<number, ProduceRecord[]>();
    const add = (t: number, record: ProduceRecord): void => {
      const m = Math.floor((t - dayStart) / 60_000);
      let list = byMinute.get(m);
      if (list === undefined) byMinute.set(m, (list = []));
      list.push(record);
    };
    for (const slot of slots) {
      for (let t = dayStart + (slot.phase % BEAT_EVERY_MS); t < dayStart + DAY; t += BEAT_EVERY_MS) {
        const key = agentKey(TENANT, slot.id);
        if (slot.fate === 'silent') break;
        if (slot.fate === 'stop' && t >= dayStart + BEAT_EVERY_MS / 2) {
          add(t, { key, value: JSON.stringify({ type: 'agent-stopped', version: CONTRACT_VERSION, id: `stop-${++ids}`, tenant: TENANT, agentId: slot.id, time: iso(t), data: {} }) });
          break;
        }
        slot.seq++;
        const beat: AgentEvent = {
          type: 'heartbeat',
          version: CONTRACT_VERSION,
          id: `hb-${++ids}`,
          tenant: TENANT,
          agentId: slot.id,
          time: iso(t),
          data: {
            instanceId: 'i1',
            intervalSeconds: BEAT_EVERY_MS / 1000,
            seq: slot.seq,
            sentAt: iso(t),
            receivedAt: iso(t),
            labels: { team: `team-${slot.phase % 7}` },
            metrics: [{ success: slot.seq % 10 !== 0, latencyMs: 50 + (slot.seq % 400), costUsd: 0.001 }],
          },
        };
        add(t, { key, value: JSON.stringify(beat) });
      }
    }
    const records: ProduceRecord[] = [];
    for (let m = 0; m < 1440; m++) {
      const t = dayStart + m * 60_000;
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const tick: AgentEvent = { type: 'tick', version: CONTRACT_VERSION, id: `tick-${t}-${partition}`, time: iso(t), data: { partition } };
        records.push({ key: null, value: JSON.stringify(tick), partition });
      }
      records.push(...(byMinute.get(m) ?? []));
    }
    for (let i = 0; i < records.length; i += 5000) await log.append(topics.agentEvents, records.slice(i, i + 5000));
    events += records.length;
    for (const slot of slots) {
      if (slot.fate !== 'beating') {
        generation++;
        slot.id = `agent-g${generation}`;
        slot.seq = 0;
      }
    }
    const tAppend = performance.now();
    await waitFor(() => caughtUp(log, 'vigil.detector', topics.agentEvents));
    const tDetector = performance.now();
    await waitFor(async () => (await caughtUp(log, 'vigil.projector-events', topics.agentEvents)) && (await caughtUp(log, 'vigil.projector-transitions', topics.statusTransitions)));
    const tProjector = performance.now();
    await readModel.pruneRetention();
    if (process.env.SOAK_DEBUG) console.log({ detector: tDetector - tAppend, projector: tProjector - tDetector, prune: performance.now() - tProjector });
    // The log's retention is by wall-clock age: its sweep is called with the wall time the simulated day maps to. The
    // status-transitions topic keeps 7 simulated days; agent-events 1 day, except that once the 7-day mapping applies
    // (from day 7) it also drops every agent-events record the consumers have read — less than a real run keeps.
    log.enforceRetention(day >= 7 ? wallDayStart[day - 6]! + TRANSITIONS_RETENTION_MS : wallDayStart[Math.max(0, day - 1)]! + AGENT_EVENTS_RETENTION_MS);
    const summary = await readModel.fleetSummary(TENANT);
    const row = { day: day + 1, readModelBytes: fileBytes(files.readModel), storeBytes: fileBytes(files.store), logBytes: fileBytes(files.log), agents: summary.total };
    rows.push(row);
    const forgotten = detector.stats().forgottenAgents;
    console.log(
      [
        String(row.day).padStart(3),
        String(row.agents).padStart(7),
        String(forgotten).padStart(10),
        String(count('rm_transitions')).padStart(12),
        String(count('rm_metric_minutes')).padStart(8),
        String(count('rm_metric_hours')).padStart(7),
        String(storeEvents()).padStart(13),
        mb(row.readModelBytes).padStart(14),
        mb(row.storeBytes).padStart(9),
        mb(row.logBytes).padStart(7),
        String(events).padStart(7),
        ((performance.now() - started) / 1000).toFixed(0).padStart(10),
      ].join(' '),
    );
  }
  await detector.stop();
  await projector.stop();
  counts.close();
  streams.close();
  await Promise.all([log.close(), store.close(), readModel.close()]);
  rmSync(dir, { recursive: true, force: true });
  const at = (d: number) => rows[Math.min(rows.length, d) - 1]!;
  const last = rows[rows.length - 1]!;
  const mid = at(Math.ceil(DAYS / 2));
  console.log(
    JSON.stringify({
      bench: 'soak',
      agents: AGENTS,
      days: DAYS,
      events,
      readModelMb: { day10: Number(mb(at(10).readModelBytes)), [`day${mid.day}`]: Number(mb(mid.readModelBytes)), [`day${last.day}`]: Number(mb(last.readModelBytes)) },
      storeMb: { day10: Number(mb(at(10).storeBytes)), [`day${mid.day}`]: Number(mb(mid.storeBytes)), [`day${last.day}`]: Number(mb(last.storeBytes)) },
      logMb: Number(mb(last.logBytes)),
      seconds: Math.round((performance.now() - started) / 1000),
    }),
  );
}
