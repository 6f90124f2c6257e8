import { agentKey, decodeAgentEvent, InvalidEventError, type DetectorOutputEvent, type TopicNames } from '@vigil/contracts';
import { Detector, restoreDetector, snapshotAgent, snapshotMeta, type DetectorStats } from '@vigil/core';
import type { EventLog, LogConsumer, RecordBatch } from '@vigil/log';
import type { Logger } from 'pino';
import type { DetectorServiceOptions } from './options.ts';
import { changelogRecords, readChangelog } from './state-changelog.ts';

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
    const sum: DetectorStats = { lateEvents: 0, lateMetricSamples: 0, blindPeriods: 0, ignoredEvents: 0, invalidEvents: 0, forgottenAgents: 0, duplicateBeats: 0 };
    let agents = 0;
    for (const d of this.detectors.values()) {
      agents += d.agents.size;
      for (const k of Object.keys(sum) as (keyof DetectorStats)[]) sum[k] += d.stats[k];
    }
    return { ...sum, partitions: this.detectors.size, agents, poisonEvents: this.poisonEvents, outputs: this.outputs, batches: this.batches, recoveries: this.recoveries };
  }

  private async restore(partition: number): Promise<Detector> {
    const { meta, agents } = await readChangelog(this.deps.log, this.options.stateTopic, partition);
    const detector = restoreDetector(this.options.detector, meta, agents);
    this.detectors.set(partition, detector);
    this.deps.logger.info({ partition, agents: agents.length, closedUpTo: detector.closedUpTo }, 'detector partition restored');
    return detector;
  }

  private async handleBatch(batch: RecordBatch): Promise<void> {
    const { log, topics, logger } = this.deps;
    const partition = batch.partition;
    const detector = this.detectors.get(partition) ?? (await this.restore(partition));
    const out: DetectorOutputEvent[] = [];
    for (const record of batch.records) {
      try {
        detector.apply(decodeAgentEvent(record.value), out);
      } catch (err) {
        if (!(err instanceof InvalidEventError)) throw err;
        // A poison message is recorded and skipped (its offset is committed with the batch), never retried forever.
        this.poisonEvents++;
        logger.warn({ err, topic: batch.topic, partition, offset: record.offset }, 'skipping invalid agent event');
      }
    }
    const last = batch.records[batch.records.length - 1];
    if (last === undefined) return;
    const changed = detector.takeDirty().map(snapshotAgent);
    const forgotten = detector.takeForgotten();
    try {
      await log.transaction(`${this.options.groupId}-p${partition}`, (tx) => {
        if (out.length > 0) {
          tx.append(
            topics.statusTransitions,
            out.map((o) => ({ key: agentKey(o.tenant, o.agentId), value: JSON.stringify(o) })),
          );
        }
        tx.append(this.options.stateTopic, changelogRecords(partition, snapshotMeta(detector), changed, forgotten));
        tx.commitOffset(this.options.groupId, topics.agentEvents, partition, last.offset + 1);
      });
    } catch (err) {
      // The in-memory state is now ahead of what was committed: rebuild it from the changelog before the batch is
      // delivered again, or the retry would apply the batch twice.
      this.recoveries++;
      this.detectors.delete(partition);
      logger.error({ err, partition }, 'detector transaction failed; state will be restored before retry');
      throw err;
    }
    this.outputs += out.length;
    this.batches++;
    // Batches of a backlog follow each other with synchronous work only; a turn of the event loop between them keeps
    // requests served by the same process (embedded mode) from waiting for the whole backlog.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
