import {
  agentEventOfRecord,
  agentKey,
  agentStreamName,
  decodeOutputEvent,
  InvalidEventError,
  type AgentEvent,
  type AgentForgottenFactEvent,
  type DetectorOutputEvent,
  type TopicNames,
} from '@vigil/contracts';
import { partitionForKey, type EventLog, type LogConsumer, type RecordBatch } from '@vigil/log';
import type { EventStore, NewStreamEvent, ReadModel, StreamAppend, Tombstone } from '@vigil/store';
import type { Logger } from 'pino';
import { ForgetGuards } from './forget-guards.ts';
import { ReadModelBatcher } from './read-model-batcher.ts';

/**
 * Dependencies of the projector: ports only. Either sink may be absent (a query replica keeps only its read model);
 * without a read model the guards of forgotten agents (see ForgetGuards) live in memory only.
 */
export interface ProjectorDeps {
  readonly log: EventLog;
  readonly topics: TopicNames;
  readonly logger: Logger;
  readonly readModel?: ReadModel;
  readonly store?: EventStore;
}

/** Settings of the projector. */
export interface ProjectorOptions {
  /** Prefix of the projector's consumer groups (one per source topic). */
  readonly groupPrefix: string;
  /** Events kept per agent stream in the event store (bounded retention). */
  readonly streamMaxCount: number;
}

/** Counters for /metrics. */
export interface ProjectorStats {
  readonly applied: number;
  readonly stored: number;
  readonly poisonEvents: number;
  /** Agent streams deleted because their agent was forgotten. */
  readonly forgotten: number;
  /** Forgotten agents guarded against late events of their forgotten life (released once those cannot arrive). */
  readonly forgetGuards: number;
}

/** Which events belong in an agent's stream: its lifecycle, transitions and metric summaries (not every beat). */
function isStreamEvent(
  e: AgentEvent | DetectorOutputEvent,
): e is Exclude<AgentEvent | DetectorOutputEvent, { type: 'heartbeat' | 'tick' | 'retention-set' | 'agent-forgotten' }> {
  return (
    e.type !== 'heartbeat' &&
    e.type !== 'tick' &&
    e.type !== 'retention-set' &&
    e.type !== 'agent-forgotten' &&
    !(e.type === 'thresholds-set' && e.agentId === undefined)
  );
}

/**
 * Folds both topics into the read model (atomically with a per-partition checkpoint, so redelivery is a no-op) and
 * appends each agent's lifecycle, transitions and metric summaries to its stream in the event store (idempotent by
 * event id, so a redelivered batch does not duplicate them).
 */
export class ProjectorService {
  private readonly consumers: LogConsumer[] = [];
  private applied = 0;
  private stored = 0;
  private poisonEvents = 0;
  private readonly retentionSet = new Set<string>();
  private readonly batcher: ReadModelBatcher | null;
  /** Agents forgotten whose late lifecycle events (kill, goodbye, ...) must not start their stream again. */
  private readonly guards = new ForgetGuards();
  private agentEventsPartitions = 0;
  private forgotten = 0;

  constructor(
    private readonly deps: ProjectorDeps,
    private readonly options: ProjectorOptions,
  ) {
    this.batcher = deps.readModel ? new ReadModelBatcher(deps.readModel) : null;
  }

  /** Loads the guards of forgotten agents from the read model's tombstones, then starts one consumer per source topic. */
  async start(): Promise<void> {
    const { topics, readModel } = this.deps;
    this.agentEventsPartitions = await this.deps.log.partitionCount(topics.agentEvents);
    if (readModel) for (const tombstone of await readModel.tombstones()) this.guards.add(tombstone);
    for (const [topic, name] of [
      [topics.agentEvents, 'events'],
      [topics.statusTransitions, 'transitions'],
    ] as const) {
      const consumer = this.deps.log.consumer({ groupId: this.groupOf(name), topic, fromBeginning: true });
      await consumer.start({ eachBatch: (batch) => this.handleBatch(batch) });
      this.consumers.push(consumer);
    }
  }

  /** Stops both consumers after their batch in hand. */
  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    this.consumers.length = 0;
  }

  /** Current counters. */
  stats(): ProjectorStats {
    return { applied: this.applied, stored: this.stored, poisonEvents: this.poisonEvents, forgotten: this.forgotten, forgetGuards: this.guards.size };
  }

  private groupOf(source: 'events' | 'transitions'): string {
    return `${this.options.groupPrefix}-${source}`;
  }

  private decode(batch: RecordBatch): { events: (AgentEvent | DetectorOutputEvent)[]; nextOffset: number } {
    const isInput = batch.topic === this.deps.topics.agentEvents;
    const events: (AgentEvent | DetectorOutputEvent)[] = [];
    for (const r of batch.records) {
      try {
        events.push(isInput ? agentEventOfRecord(r) : decodeOutputEvent(r.value));
      } catch (err) {
        if (!(err instanceof InvalidEventError)) throw err;
        this.poisonEvents++;
        this.deps.logger.warn({ err, topic: batch.topic, partition: batch.partition, offset: r.offset }, 'skipping invalid event');
      }
    }
    const last = batch.records[batch.records.length - 1];
    return { events, nextOffset: last === undefined ? 0 : last.offset + 1 };
  }

  private async handleBatch(batch: RecordBatch): Promise<void> {
    const { events, nextOffset } = this.decode(batch);
    if (batch.records.length === 0) return;
    const fromAgentEvents = batch.topic === this.deps.topics.agentEvents;
    // Guarded before anything is written, so the other consumer drops a late event of the old life from now on.
    const guards = fromAgentEvents ? [] : await this.guardForgotten(events);
    if (this.deps.store) await this.appendToStreams(events);
    if (this.batcher) {
      // Grouped with the other partitions' batches of this turn: one read-model transaction for all of them. The
      // guards' release points go into the tombstones of the same transaction.
      const checkpoint = { topic: batch.topic, partition: batch.partition, nextOffset };
      await this.batcher.apply({ events, checkpoint, ...(guards.length === 0 ? {} : { tombstoneReleases: guards }) });
      this.applied += events.length;
    }
    if (fromAgentEvents) await this.releaseGuards(batch.partition, batch.records[0]!.offset);
    // A backlog is folded batch after batch with synchronous SQLite work in between: without a turn of the event
    // loop here, requests on the same process would wait for the whole backlog (seconds at 100,000 agents).
    await yieldToEventLoop();
  }

  /**
   * A guard per agent-forgotten fact of a status-transitions batch, with its release point: the end offset of the
   * agent's partition of agent-events now, which lies past every event of the forgotten life (see ForgetGuards).
   */
  private async guardForgotten(events: readonly (AgentEvent | DetectorOutputEvent)[]): Promise<Tombstone[]> {
    const guards: Tombstone[] = [];
    const ends = new Map<number, number>();
    for (const e of events) {
      if (e.type !== 'agent-forgotten' || !('cause' in e.data)) continue;
      const fact = e as AgentForgottenFactEvent;
      const partition = partitionForKey(agentKey(fact.tenant, fact.agentId), this.agentEventsPartitions);
      let end = ends.get(partition);
      if (end === undefined) ends.set(partition, (end = await this.deps.log.endOffset(this.deps.topics.agentEvents, partition)));
      const guard = { tenant: fact.tenant, agentId: fact.agentId, partition, releaseOffset: end, cutoff: cutoffOf(fact) };
      this.guards.add(guard);
      guards.push(guard);
    }
    return guards;
  }

  /**
   * Releases the guards of an agent-events partition that the events consumer has committed past. Asks the log
   * only when a guard could be due (its release offset is not beyond the batch in hand), so a batch with none due
   * costs nothing; a failure is logged and the next batch of the partition tries again.
   */
  private async releaseGuards(partition: number, firstOffset: number): Promise<void> {
    if (!this.guards.mayRelease(partition, firstOffset)) return;
    try {
      const committed = await this.deps.log.committedOffset(this.groupOf('events'), this.deps.topics.agentEvents, partition);
      if (committed === null) return;
      // The tombstones first: a guard still in memory whose tombstone is gone is harmless, the reverse is not.
      if (this.deps.readModel) await this.deps.readModel.releaseTombstones(partition, committed);
      this.guards.release(partition, committed);
    } catch (err) {
      this.deps.logger.warn({ err, topic: this.deps.topics.agentEvents, partition }, 'could not release forget guards; the next batch tries again');
    }
  }

  /** Every agent's part of the batch in one event-store call (one SQLite transaction), retention set on first sight. */
  private async appendToStreams(events: readonly (AgentEvent | DetectorOutputEvent)[]): Promise<void> {
    const store = this.deps.store!;
    const byStream = new Map<string, NewStreamEvent[]>();
    for (const e of events) {
      if (e.type === 'agent-forgotten' && 'cause' in e.data) {
        // Everything of the old life before this point is dropped with the stream, appended or not.
        const stream = agentStreamName(e.tenant, e.agentId);
        byStream.delete(stream);
        await store.deleteStream(stream);
        this.retentionSet.delete(stream);
        this.forgotten++;
        continue;
      }
      if (!isStreamEvent(e) || e.agentId === undefined) continue;
      const stream = agentStreamName(e.tenant, e.agentId);
      const cutoff = this.guards.cutoffOf(e.tenant, e.agentId);
      if (cutoff !== undefined && isLifecycleInput(e) && Date.parse(e.time) <= cutoff) continue;
      let list = byStream.get(stream);
      if (list === undefined) byStream.set(stream, (list = []));
      const { type, id, data, ...envelope } = e;
      list.push({ id: toUuid(id), type, data: data as Record<string, unknown>, metadata: { ...envelope, eventId: id } });
    }
    if (byStream.size === 0) return;
    const retention = { maxCount: this.options.streamMaxCount };
    const appends: StreamAppend[] = [...byStream].map(([streamName, list]) => ({
      streamName,
      events: list,
      expectedRevision: 'any',
      ...(this.retentionSet.has(streamName) ? {} : { retention }),
    }));
    await store.appendToStreams(appends);
    for (const a of appends) {
      this.retentionSet.add(a.streamName);
      this.stored += a.events.length;
    }
  }
}

/** The end of a forgotten life (epoch ms): the forget time or its last beat, whichever is later, as the read model's tombstone. */
function cutoffOf(fact: AgentForgottenFactEvent): number {
  const lastBeat = fact.data.lastHeartbeatAt === null ? Number.NEGATIVE_INFINITY : Date.parse(fact.data.lastHeartbeatAt);
  return Math.max(Date.parse(fact.time), lastBeat);
}

/** Events of agent-events that go into a stream (the operator's and the agent's own lifecycle events). */
function isLifecycleInput(e: AgentEvent | DetectorOutputEvent): boolean {
  return e.type === 'agent-killed' || e.type === 'agent-resumed' || e.type === 'agent-stopped' || e.type === 'thresholds-set';
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks (requests) have run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Event stores want UUIDs; our ids are content hashes (32 hex) or UUIDs already. A 32-hex id is shaped into a UUID
 * (deterministically), so the store's idempotence on ids recognises a redelivered event.
 */
export function toUuid(id: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return id.toLowerCase();
  let hex = id.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length < 32) hex = (hex + contentPad(id)).slice(0, 32);
  hex = hex.slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function contentPad(id: string): string {
  let h = 2166136261;
  let out = '';
  for (let round = 0; out.length < 32; round++) {
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i) ^ round, 16777619);
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}
