import { agentEventOfRecord, agentKey, InvalidEventError, type AgentEvent, type DetectorOutputEvent, type TopicNames } from '@vigil/contracts';
import { Detector, restoreDetector, snapshotAgent, snapshotMeta, type DetectorStats } from '@vigil/core';
import type { EventLog, LogConsumer, LogTransaction, RecordBatch } from '@vigil/log';
import type { Logger } from 'pino';
import type { DetectorServiceOptions } from './options.ts';
import { changelogRecords, fanOutProgressRecord, readChangelog, type FanOutProgress } from './state-changelog.ts';

/** Dependencies of the detector service: ports only. */
export interface DetectorServiceDeps {
  readonly log: EventLog;
  readonly topics: TopicNames;
  readonly logger: Logger;
}

/** Counters the service exposes on /metrics. */
export interface DetectorServiceStats extends DetectorStats {
  readonly partitions: number;
  readonly agents: number;
  readonly poisonEvents: number;
  readonly outputs: number;
  readonly batches: number;
  /** Batches whose transaction also wrote a snapshot of the partition's state. */
  readonly snapshots: number;
  readonly recoveries: number;
}

/** Where a partition's state stands against its changelog. */
interface PartitionProgress {
  /** Records handled since the last snapshot (or the restore). */
  sinceSnapshot: number;
  /** Wall-clock time of the last snapshot (or the restore). */
  snapshotAt: number;
  /** Whether the changelog holds a snapshot of this partition at all (a restore needs one to start from). */
  snapshotted: boolean;
}

/** Transitions the service has committed, by the status they moved to (for `vigil_transitions_total{to}`). */
export type TransitionCounts = ReadonlyMap<string, number>;

/**
 * Runs one detector per owned partition of `agent-events`. Each batch is folded, then its outputs and the consumed
 * offset are written in ONE log transaction, so nothing is emitted twice after a crash. The state goes to the
 * changelog as a snapshot (the agents changed since the last one, and the input offset it is the state before) every
 * `snapshotEveryRecords` records or `snapshotIntervalMs`, inside a batch's transaction. A restore starts from the
 * snapshot and replays the records from its offset up to the committed offset with their outputs discarded (they were
 * committed with that offset), so the detector resumes from a state and a position that match. A second consumer
 * group (`<groupId>.snapshot`) commits the snapshot's offset, so that retention keeps the records a replay needs.
 */
export class DetectorService {
  private readonly detectors = new Map<number, Detector>();
  private readonly progress = new Map<number, PartitionProgress>();
  /** Per partition: a fan-out that a crash interrupted between chunks, to finish without repeating outputs. */
  private readonly fanOutResume = new Map<number, FanOutProgress>();
  private consumer: LogConsumer | null = null;
  private poisonEvents = 0;
  private outputs = 0;
  private batches = 0;
  private snapshots = 0;
  private recoveries = 0;
  private readonly transitionsByTo = new Map<string, number>();

  constructor(
    private readonly deps: DetectorServiceDeps,
    private readonly options: DetectorServiceOptions,
  ) {}

  /** Ensures the state topic, joins the group and starts processing. */
  async start(): Promise<void> {
    const { log, topics } = this.deps;
    const partitions = await log.partitionCount(topics.agentEvents);
    await log.ensureTopic(this.options.stateTopic, { partitions, compact: true });
    this.consumer = log.consumer({
      groupId: this.options.groupId,
      topic: topics.agentEvents,
      autoCommit: false,
      fromBeginning: true,
      maxBatchSize: this.options.maxBatchSize,
    });
    await this.consumer.start({
      eachBatch: (batch) => this.handleBatch(batch),
      onAssigned: async (ps) => {
        for (const p of ps) await this.restore(p);
      },
      onRevoked: async (ps) => {
        for (const p of ps) {
          this.detectors.delete(p);
          this.progress.delete(p);
        }
      },
    });
  }

  /** Stops after the batch in hand; everything handled is committed. */
  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = null;
  }

  /** Current counters, summed over owned partitions. */
  stats(): DetectorServiceStats {
    const sum: DetectorStats = { lateEvents: 0, lateMetricSamples: 0, blindPeriods: 0, ignoredEvents: 0, invalidEvents: 0, duplicateBeats: 0, forgottenAgents: 0 };
    let agents = 0;
    for (const d of this.detectors.values()) {
      agents += d.agents.size;
      for (const k of Object.keys(sum) as (keyof DetectorStats)[]) sum[k] += d.stats[k];
    }
    return { ...sum, partitions: this.detectors.size, agents, poisonEvents: this.poisonEvents, outputs: this.outputs, batches: this.batches, snapshots: this.snapshots, recoveries: this.recoveries };
  }

  /** The consumer group whose committed offset is the newest snapshot's input offset (what a replay needs kept). */
  private get snapshotGroupId(): string {
    return `${this.options.groupId}.snapshot`;
  }

  /** Committed transitions by target status, since this process started. */
  transitionCounts(): TransitionCounts {
    return this.transitionsByTo;
  }

  /**
   * Event time (epoch ms) of the last tick of the owned partition that is furthest behind, or null before every
   * owned partition has seen one: how far detection lags behind the platform's clock.
   */
  oldestTick(): number | null {
    let oldest: number | null = null;
    for (const d of this.detectors.values()) {
      if (!Number.isFinite(d.lastTick) || d.lastTick <= 0) return null;
      oldest = oldest === null ? d.lastTick : Math.min(oldest, d.lastTick);
    }
    return oldest;
  }

  private async restore(partition: number): Promise<Detector> {
    const { log, topics } = this.deps;
    const { meta, agents, inputOffset, fanOut } = await readChangelog(log, this.options.stateTopic, partition);
    const detector = restoreDetector(this.options.detector, meta, agents);
    const committed = await log.committedOffset(this.options.groupId, topics.agentEvents, partition);
    // A changelog written before snapshots were deferred holds the state at the committed offset.
    const from = meta === null ? 0 : (inputOffset ?? committed ?? 0);
    const replayed = committed === null ? 0 : await this.replay(detector, partition, from, committed);
    this.detectors.set(partition, detector);
    // Only a fan-out of the record the consumer delivers next is unfinished; an older one was completed.
    if (fanOut !== null && committed !== null && fanOut.offset >= committed) this.fanOutResume.set(partition, fanOut);
    else this.fanOutResume.delete(partition);
    this.progress.set(partition, { sinceSnapshot: replayed, snapshotAt: Date.now(), snapshotted: meta !== null });
    this.deps.logger.info({ partition, agents: detector.agents.size, closedUpTo: detector.closedUpTo, replayed }, 'detector partition restored');
    return detector;
  }

  /** Applies the records in [from, to) again, discarding their outputs (already on the log); returns how many. */
  private async replay(detector: Detector, partition: number, from: number, to: number): Promise<number> {
    const { log, topics } = this.deps;
    const discarded: DetectorOutputEvent[] = [];
    let replayed = 0;
    for (let offset = from; offset < to; ) {
      const records = await log.read(topics.agentEvents, partition, offset, Math.min(5_000, to - offset));
      if (records.length === 0) break;
      for (const record of records) {
        if (record.offset >= to) break;
        try {
          detector.apply(agentEventOfRecord(record), discarded);
        } catch (err) {
          if (!(err instanceof InvalidEventError)) throw err;
        }
        discarded.length = 0;
        replayed++;
      }
      offset = records[records.length - 1]!.offset + 1;
    }
    return replayed;
  }

  /**
   * Folds a batch and commits its outputs and offset in one transaction (with a snapshot when one is due). In a
   * partition of more than FANOUT_CHUNK agents, a record that reaches every agent (a tick closing a window over many
   * due agents, a tenant-wide threshold) and emits more than FANOUT_CHUNK outputs is committed on its own, in chunks
   * with a turn of the event loop between them: one window convicting 100,000 agents no longer holds the process for
   * seconds. The offset moves only with the last chunk; each leading chunk records how many of the record's outputs
   * are on the log, so that after a crash between chunks the record is read again and emits only the rest.
   */
  private async handleBatch(batch: RecordBatch): Promise<void> {
    const partition = batch.partition;
    const detector = this.detectors.get(partition) ?? (await this.restore(partition));
    let out: DetectorOutputEvent[] = [];
    /** Offset after the last record folded but not yet committed (null: none), and how many records that is. */
    let next: number | null = null;
    let records = 0;
    for (const record of batch.records) {
      let event: AgentEvent | null = null;
      try {
        event = agentEventOfRecord(record);
      } catch (err) {
        this.skipPoison(err, batch.topic, partition, record.offset);
      }
      const fansOut = event !== null && detector.agents.size > FANOUT_CHUNK && reachesEveryAgent(event);
      // What came before is committed first, so that the chunks of a fan-out hold one record's outputs only.
      if (fansOut && next !== null && out.length > 0) {
        await this.commit(partition, detector, out, next, records);
        out = [];
        next = null;
        records = 0;
      }
      if (event !== null) {
        try {
          detector.apply(event, out);
        } catch (err) {
          this.skipPoison(err, batch.topic, partition, record.offset);
        }
      }
      next = record.offset + 1;
      records++;
      if (fansOut && out.length > FANOUT_CHUNK) {
        await this.commitFanOut(partition, detector, out, record.offset, records);
        out = [];
        next = null;
        records = 0;
      }
    }
    if (next !== null) await this.commit(partition, detector, out, next, records);
    this.batches++;
    // Batches of a backlog follow each other with synchronous work only; a turn of the event loop between them keeps
    // requests served by the same process (embedded mode) from waiting for the whole backlog.
    await yieldToEventLoop();
  }

  /** A poison message is recorded and skipped (its offset is committed with the rest), never retried forever. */
  private skipPoison(err: unknown, topic: string, partition: number, offset: number): void {
    if (!(err instanceof InvalidEventError)) throw err;
    this.poisonEvents++;
    this.deps.logger.warn({ err, topic, partition, offset }, 'skipping invalid agent event');
  }

  /** One transaction: the outputs and the offset, and a snapshot of the state when one is due. */
  private async commit(partition: number, detector: Detector, out: readonly DetectorOutputEvent[], next: number, records: number): Promise<void> {
    const { topics } = this.deps;
    const progress = this.progress.get(partition)!;
    const now = Date.now();
    const snapshot =
      !progress.snapshotted || progress.sinceSnapshot + records >= this.options.snapshotEveryRecords || now - progress.snapshotAt >= this.options.snapshotIntervalMs;
    const changed = snapshot ? detector.takeDirty().map(snapshotAgent) : [];
    const forgotten = snapshot ? detector.takeForgotten() : [];
    await this.transact(partition, (tx) => {
      this.appendOutputs(tx, out);
      if (snapshot) {
        tx.append(this.options.stateTopic, changelogRecords(partition, snapshotMeta(detector), changed, next, forgotten));
        tx.commitOffset(this.snapshotGroupId, topics.agentEvents, partition, next);
      }
      tx.commitOffset(this.options.groupId, topics.agentEvents, partition, next);
    });
    if (snapshot) {
      Object.assign(progress, { sinceSnapshot: 0, snapshotAt: now, snapshotted: true });
      this.snapshots++;
    } else {
      progress.sinceSnapshot += records;
    }
    this.counted(out);
  }

  /** The outputs of the record at `offset` in chunks (see handleBatch); the last chunk commits like any batch. */
  private async commitFanOut(partition: number, detector: Detector, out: readonly DetectorOutputEvent[], offset: number, records: number): Promise<void> {
    const resume = this.fanOutResume.get(partition);
    this.fanOutResume.delete(partition);
    let from = resume !== undefined && resume.offset === offset ? Math.min(resume.emitted, out.length) : 0;
    while (out.length - from > FANOUT_CHUNK) {
      const to = from + FANOUT_CHUNK;
      const chunk = out.slice(from, to);
      await this.transact(partition, (tx) => {
        this.appendOutputs(tx, chunk);
        tx.append(this.options.stateTopic, [fanOutProgressRecord(partition, { offset, emitted: to })]);
      });
      this.counted(chunk);
      from = to;
      await yieldToEventLoop();
    }
    await this.commit(partition, detector, out.slice(from), offset + 1, records);
  }

  private appendOutputs(tx: LogTransaction, out: readonly DetectorOutputEvent[]): void {
    if (out.length === 0) return;
    tx.append(
      this.deps.topics.statusTransitions,
      out.map((o) => ({ key: agentKey(o.tenant, o.agentId), value: JSON.stringify(o) })),
    );
  }

  private async transact(partition: number, work: (tx: LogTransaction) => void): Promise<void> {
    try {
      await this.deps.log.transaction(`${this.options.groupId}-p${partition}`, work);
    } catch (err) {
      // The in-memory state is now ahead of what was committed: rebuild it from the changelog before the batch is
      // delivered again, or the retry would apply the batch twice.
      this.recoveries++;
      this.detectors.delete(partition);
      this.progress.delete(partition);
      this.deps.logger.error({ err, partition }, 'detector transaction failed; state will be restored before retry');
      throw err;
    }
  }

  private counted(out: readonly DetectorOutputEvent[]): void {
    this.outputs += out.length;
    for (const o of out) if (o.type === 'status-transitioned') this.transitionsByTo.set(o.data.to, (this.transitionsByTo.get(o.data.to) ?? 0) + 1);
  }
}

/** Outputs per transaction when one record moves many agents. */
export const FANOUT_CHUNK = 1000;

/** Events that may move every agent of a partition at once. */
function reachesEveryAgent(event: AgentEvent): boolean {
  return event.type === 'tick' || (event.type === 'thresholds-set' && event.agentId === undefined);
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks (requests) have run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
