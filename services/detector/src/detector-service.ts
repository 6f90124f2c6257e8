import { agentKey, decodeAgentEvent, InvalidEventError, type AgentEvent, type DetectorOutputEvent, type TopicNames } from '@vigil/contracts';
import { Detector, restoreDetector, snapshotAgent, snapshotMeta, type AgentSnapshot, type DetectorStats } from '@vigil/core';
import type { EventLog, LogConsumer, LogTransaction, RecordBatch } from '@vigil/log';
import type { Logger } from 'pino';
import type { DetectorServiceOptions } from './options.ts';
import { agentStateRecords, changelogRecords, readChangelog } from './state-changelog.ts';

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
  readonly recoveries: number;
}

/** Transitions the service has committed, by the status they moved to (for `vigil_transitions_total{to}`). */
export type TransitionCounts = ReadonlyMap<string, number>;

/**
 * Runs one detector per owned partition of `agent-events`. Each batch is folded, then its outputs, the changed
 * agents' state and the consumed offset are written in ONE log transaction, so that after a crash at any moment the
 * detector resumes from a state and a position that match, and re-emits nothing it already emitted.
 */
export class DetectorService {
  private readonly detectors = new Map<number, Detector>();
  private consumer: LogConsumer | null = null;
  private poisonEvents = 0;
  private outputs = 0;
  private batches = 0;
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
        for (const p of ps) this.detectors.delete(p);
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
    const sum: DetectorStats = { lateEvents: 0, lateMetricSamples: 0, blindPeriods: 0, ignoredEvents: 0, invalidEvents: 0, duplicateBeats: 0 };
    let agents = 0;
    for (const d of this.detectors.values()) {
      agents += d.agents.size;
      for (const k of Object.keys(sum) as (keyof DetectorStats)[]) sum[k] += d.stats[k];
    }
    return { ...sum, partitions: this.detectors.size, agents, poisonEvents: this.poisonEvents, outputs: this.outputs, batches: this.batches, recoveries: this.recoveries };
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
    const { meta, agents } = await readChangelog(this.deps.log, this.options.stateTopic, partition);
    const detector = restoreDetector(this.options.detector, meta, agents);
    this.detectors.set(partition, detector);
    this.deps.logger.info({ partition, agents: agents.length, closedUpTo: detector.closedUpTo }, 'detector partition restored');
    return detector;
  }

  /**
   * Folds a batch and commits it. Normally one transaction: outputs, changed agents' state and the offset. In a
   * partition of more than FANOUT_CHUNK agents, a record that reaches every agent (a tick closing a window over
   * many due agents, a tenant-wide threshold) is committed on its own, in chunks of whole agents (their outputs and
   * their state together), with the meta and the offset only in the last chunk and a turn of the event loop between
   * chunks: one window convicting 100,000 agents no longer holds the process for seconds. A crash between chunks
   * restores the chunked agents already moved and the record is read again; it then moves only the others, with the
   * same times and content ids, so the output equals an uninterrupted run's.
   */
  private async handleBatch(batch: RecordBatch): Promise<void> {
    const partition = batch.partition;
    const detector = this.detectors.get(partition) ?? (await this.restore(partition));
    let out: DetectorOutputEvent[] = [];
    /** Offset after the last record folded but not yet committed, or null. */
    let pending: number | null = null;
    for (const record of batch.records) {
      let event: AgentEvent;
      try {
        event = decodeAgentEvent(record.value);
      } catch (err) {
        this.skipPoison(err, batch.topic, partition, record.offset);
        pending = record.offset + 1;
        continue;
      }
      const fansOut = detector.agents.size > FANOUT_CHUNK && reachesEveryAgent(event);
      // What came before a fan-out is committed first, so that a chunked commit holds the effect of one record only.
      if (fansOut && pending !== null && (out.length > 0 || detector.dirty.size > 0)) {
        await this.commit(detector, partition, out, pending);
        out = [];
      }
      try {
        detector.apply(event, out);
      } catch (err) {
        this.skipPoison(err, batch.topic, partition, record.offset);
      }
      pending = record.offset + 1;
      if (fansOut && out.length + detector.dirty.size > FANOUT_CHUNK) {
        await this.commitInChunks(detector, partition, out, pending);
        out = [];
        pending = null;
      }
    }
    if (pending !== null) await this.commit(detector, partition, out, pending);
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

  /** One transaction: the outputs, every changed agent's state, the meta, and the offset. */
  private async commit(detector: Detector, partition: number, out: readonly DetectorOutputEvent[], nextOffset: number): Promise<void> {
    const changed = detector.takeDirty().map(snapshotAgent);
    await this.transact(partition, (tx) => {
      this.appendOutputs(tx, out);
      tx.append(this.options.stateTopic, changelogRecords(partition, snapshotMeta(detector), changed));
      tx.commitOffset(this.options.groupId, this.deps.topics.agentEvents, partition, nextOffset);
    });
    this.counted(out);
  }

  /** The outputs and state of one record that moved many agents, in bounded transactions (see handleBatch). */
  private async commitInChunks(detector: Detector, partition: number, out: readonly DetectorOutputEvent[], nextOffset: number): Promise<void> {
    const snapshots = new Map<string, AgentSnapshot>();
    for (const agent of detector.takeDirty()) snapshots.set(agent.key, snapshotAgent(agent));
    // Whole agents per chunk: an agent's outputs never travel without its state, nor its state without its outputs.
    const byAgent = new Map<string, DetectorOutputEvent[]>();
    for (const o of out) {
      const key = agentKey(o.tenant, o.agentId);
      let list = byAgent.get(key);
      if (list === undefined) byAgent.set(key, (list = []));
      list.push(o);
    }
    for (const key of snapshots.keys()) if (!byAgent.has(key)) byAgent.set(key, []);
    const keys = [...byAgent.keys()];
    let i = 0;
    for (;;) {
      const outputs: DetectorOutputEvent[] = [];
      const states: AgentSnapshot[] = [];
      while (i < keys.length && outputs.length + states.length < FANOUT_CHUNK) {
        const key = keys[i++]!;
        outputs.push(...byAgent.get(key)!);
        const state = snapshots.get(key);
        if (state !== undefined) states.push(state);
      }
      const lastChunk = i >= keys.length;
      await this.transact(partition, (tx) => {
        this.appendOutputs(tx, outputs);
        if (lastChunk) {
          tx.append(this.options.stateTopic, changelogRecords(partition, snapshotMeta(detector), states));
          tx.commitOffset(this.options.groupId, this.deps.topics.agentEvents, partition, nextOffset);
        } else {
          tx.append(this.options.stateTopic, agentStateRecords(partition, states));
        }
      });
      this.counted(outputs);
      if (lastChunk) return;
      await yieldToEventLoop();
    }
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
      this.deps.logger.error({ err, partition }, 'detector transaction failed; state will be restored before retry');
      throw err;
    }
  }

  private counted(out: readonly DetectorOutputEvent[]): void {
    this.outputs += out.length;
    for (const o of out) if (o.type === 'status-transitioned') this.transitionsByTo.set(o.data.to, (this.transitionsByTo.get(o.data.to) ?? 0) + 1);
  }
}

/** Records (outputs plus states) per transaction when one record moves many agents. */
export const FANOUT_CHUNK = 1000;

/** Events that may move every agent of a partition at once. */
function reachesEveryAgent(event: AgentEvent): boolean {
  return event.type === 'tick' || (event.type === 'thresholds-set' && event.agentId === undefined);
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks (requests) have run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
