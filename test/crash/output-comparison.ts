import type { DetectorOutputEvent } from '@vigil/contracts';

/** What differs between two runs' outputs, by content id: empty lists mean the runs emitted the same thing. */
export interface OutputDifference {
  /** Ids the expected run emitted that the actual run did not (lost), or emitted fewer times. */
  readonly missing: string[];
  /** Ids the actual run emitted more often than the expected one (doubled) or that it alone emitted. */
  readonly extra: string[];
  /** Ids present in both whose content differs. */
  readonly changed: string[];
  /** Agents whose sequence of output ids differs. */
  readonly reordered: string[];
}

function countIds(events: readonly DetectorOutputEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  return counts;
}

/** Output ids per agent (`tenant/agentId`), in emission order. */
export function sequencesByAgent(events: readonly DetectorOutputEvent[]): Map<string, string[]> {
  const byAgent = new Map<string, string[]>();
  for (const e of events) {
    const key = `${e.tenant}/${e.agentId}`;
    let list = byAgent.get(key);
    if (list === undefined) byAgent.set(key, (list = []));
    list.push(e.id);
  }
  return byAgent;
}

/**
 * Compares two runs' outputs as multisets of ids (so a doubled output counts), by content, and as per-agent
 * sequences (the order one agent's transitions happened in is part of the result; the interleaving of agents is not).
 */
export function compareOutputs(expected: readonly DetectorOutputEvent[], actual: readonly DetectorOutputEvent[], compareContent = true): OutputDifference {
  const want = countIds(expected);
  const got = countIds(actual);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [id, n] of want) for (let i = got.get(id) ?? 0; i < n; i++) missing.push(id);
  for (const [id, n] of got) for (let i = want.get(id) ?? 0; i < n; i++) extra.push(id);
  const changed: string[] = [];
  if (compareContent) {
    const content = new Map(expected.map((e) => [e.id, JSON.stringify(e)]));
    for (const e of actual) {
      const c = content.get(e.id);
      if (c !== undefined && c !== JSON.stringify(e)) changed.push(e.id);
    }
  }
  const wantSeq = sequencesByAgent(expected);
  const gotSeq = sequencesByAgent(actual);
  const reordered: string[] = [];
  for (const agent of new Set([...wantSeq.keys(), ...gotSeq.keys()])) {
    if ((wantSeq.get(agent) ?? []).join() !== (gotSeq.get(agent) ?? []).join()) reordered.push(agent);
  }
  return { missing, extra, changed: [...new Set(changed)], reordered };
}

/** Output counts by event type, for the test's report. */
export function countByType(events: readonly DetectorOutputEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}
