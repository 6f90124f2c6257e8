import type { AgentSnapshot, DetectorMetaSnapshot } from '@vigil/core';
import type { EventLog, ProduceRecord } from '@vigil/log';

/** Key of a partition's meta record in the changelog. */
export function metaKey(partition: number): string {
  return `p${partition}|meta`;
}

/** Key of an agent's record in the changelog. */
export function agentStateKey(partition: number, agentKey: string): string {
  return `p${partition}|a|${agentKey}`;
}

/** Key of a partition's fan-out progress record (see `fanOutProgressRecord`). */
export function fanOutKey(partition: number): string {
  return `p${partition}|fanout`;
}

/** How many outputs of the input record at `offset` are already on the log (a fan-out committed in chunks). */
export interface FanOutProgress {
  readonly offset: number;
  readonly emitted: number;
}

/**
 * The record that goes with each leading chunk of a fan-out's outputs: after a crash between chunks, the record at
 * `offset` is read again and its first `emitted` outputs (the detector is deterministic: the same ones, in the same
 * order) are not emitted twice.
 */
export function fanOutProgressRecord(partition: number, progress: FanOutProgress): ProduceRecord {
  return { key: fanOutKey(partition), value: JSON.stringify(progress), partition };
}

/**
 * Value of a tombstone: the agent was forgotten. The log port writes no null values (Kafka's tombstones), and reads a
 * foreign null as the empty string, so the empty string is the tombstone both ways; compaction keeps only it.
 */
export const TOMBSTONE = '';

/** The meta record as stored: the detector's meta and the input offset the snapshot is the state before. */
interface StoredMeta extends DetectorMetaSnapshot {
  /** The next input offset to apply to this state; absent in changelogs written before snapshots were deferred. */
  inputOffset?: number;
}

/**
 * Records that persist the partition's changes as the state before input offset `inputOffset`: tombstones of
 * forgotten agents first, then the changed agents (an agent forgotten and seen again before one snapshot ends with
 * its new life's record), then the meta; written to the changelog partition = input partition.
 */
export function changelogRecords(
  partition: number,
  meta: DetectorMetaSnapshot,
  agents: readonly AgentSnapshot[],
  inputOffset: number,
  forgotten: readonly string[] = [],
): ProduceRecord[] {
  const records: ProduceRecord[] = forgotten.map((k) => ({ key: agentStateKey(partition, k), value: TOMBSTONE, partition }));
  for (const a of agents) records.push({ key: agentStateKey(partition, a.k), value: JSON.stringify(a), partition });
  const stored: StoredMeta = { ...meta, inputOffset };
  records.push({ key: metaKey(partition), value: JSON.stringify(stored), partition });
  return records;
}

/**
 * The newest state of one partition read back from the changelog (newest record per key wins), and the input offset
 * it is the state before (null: no snapshot, or one written when every batch was snapshotted, i.e. the committed
 * offset).
 */
export async function readChangelog(
  log: EventLog,
  topic: string,
  partition: number,
): Promise<{ meta: DetectorMetaSnapshot | null; agents: AgentSnapshot[]; inputOffset: number | null; fanOut: FanOutProgress | null }> {
  const latest = new Map<string, string>();
  const end = await log.endOffset(topic, partition);
  let offset = 0;
  while (offset < end) {
    const records = await log.read(topic, partition, offset, 5000);
    if (records.length === 0) break;
    for (const r of records) if (r.key !== null) latest.set(r.key, r.value);
    offset = records[records.length - 1]!.offset + 1;
  }
  const metaText = latest.get(metaKey(partition));
  latest.delete(metaKey(partition));
  const fanOutText = latest.get(fanOutKey(partition));
  const fanOut = fanOutText === undefined || fanOutText === TOMBSTONE ? null : (JSON.parse(fanOutText) as FanOutProgress);
  const agents: AgentSnapshot[] = [];
  const prefix = `p${partition}|a|`;
  for (const [key, value] of latest) if (key.startsWith(prefix) && value !== TOMBSTONE) agents.push(JSON.parse(value) as AgentSnapshot);
  if (metaText === undefined) return { meta: null, agents, inputOffset: null, fanOut };
  const { inputOffset, ...meta } = JSON.parse(metaText) as StoredMeta;
  return { meta, agents, inputOffset: inputOffset ?? null, fanOut };
}
