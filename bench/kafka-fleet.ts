/**
 * The input of the Kafka benchmark: heartbeats of a fleet as the platform stores them on `agent-events`, with the
 * tick the platform's clock writes into every partition once a second of event time, in event-time order.
 */
import { CONTRACT_VERSION, agentKey, type HeartbeatEvent, type TickEvent } from '@vigil/contracts';
import { formatIsoMs } from '@vigil/core';

/** One record to produce: keyed heartbeats go where the key hashes (murmur2), ticks name their partition. */
export interface FleetRecord {
  readonly key: string | null;
  readonly value: string;
  readonly partition?: number;
}

/** Shape of the generated fleet. */
export interface FleetOptions {
  readonly heartbeats: number;
  readonly agents: number;
  readonly partitions: number;
  /** Declared interval of every agent; beats are spread evenly over it. */
  readonly intervalSeconds: number;
  /** Every `silentEvery`-th agent stops beating after a third of the run, so the detector has silences to convict. */
  readonly silentEvery: number;
  /** Event time of the first beat (epoch ms). */
  readonly startMs: number;
}

/** The generated records and what they hold. */
export interface Fleet {
  readonly records: readonly FleetRecord[];
  readonly heartbeats: number;
  readonly ticks: number;
}

/** Builds the fleet's log: beats in rounds of one interval, a tick per partition before each second is entered. */
export function makeFleet(options: FleetOptions): Fleet {
  const { agents, partitions, startMs } = options;
  const intervalMs = options.intervalSeconds * 1000;
  const rounds = Math.ceil(options.heartbeats / agents);
  const silentFromRound = Math.floor(rounds / 3);
  const spacing = intervalMs / agents;
  const records: FleetRecord[] = [];
  let nextTick = startMs;
  let heartbeats = 0;
  let ticks = 0;
  const tickUpTo = (at: number): void => {
    while (nextTick <= at) {
      for (let partition = 0; partition < partitions; partition++) {
        const tick: TickEvent = { type: 'tick', version: CONTRACT_VERSION, id: `tick-${nextTick}-${partition}`, time: formatIsoMs(nextTick), data: { partition } };
        records.push({ key: null, value: JSON.stringify(tick), partition });
        ticks++;
      }
      nextTick += 1000;
    }
  };
  for (let round = 0; heartbeats < options.heartbeats; round++) {
    for (let a = 0; a < agents && heartbeats < options.heartbeats; a++) {
      if (round >= silentFromRound && options.silentEvery > 0 && a % options.silentEvery === 0) continue;
      const at = startMs + round * intervalMs + Math.floor(a * spacing);
      tickUpTo(at);
      const iso = formatIsoMs(at);
      const agentId = `agent-${a}`;
      const beat: HeartbeatEvent = {
        type: 'heartbeat',
        version: CONTRACT_VERSION,
        id: `hb-${round}-${a}`,
        tenant: 'default',
        agentId,
        time: iso,
        data: { instanceId: `inst-${a}`, intervalSeconds: options.intervalSeconds, seq: round, sentAt: iso, receivedAt: iso, progress: { completed: round, inFlight: 1 } },
      };
      records.push({ key: agentKey('default', agentId), value: JSON.stringify(beat) });
      heartbeats++;
    }
  }
  // One more interval of ticks, so that the last beats' windows close and the silent agents' deadlines come due.
  tickUpTo(nextTick + intervalMs);
  return { records, heartbeats, ticks };
}
