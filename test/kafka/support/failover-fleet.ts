import { CONTRACT_VERSION, agentKey, type HeartbeatEvent, type TickEvent } from '@vigil/contracts';
import type { ProduceRecord } from '@vigil/log';

/** What the generated log holds. */
export interface FailoverFleet {
  readonly records: readonly ProduceRecord[];
  readonly heartbeats: number;
  readonly ticks: number;
}

/**
 * A deterministic agent-events log in event-time order: `agents` agents beating every `intervalSeconds` (spread over
 * the interval), a tick in every partition every second; every 10th agent goes silent for good a third of the way in
 * (degraded, then unreachable), every 10th+1 goes silent for a while and comes back (degraded, then healthy again).
 * Deterministic, so two topics written from it hold the same events with the same ids.
 */
export function failoverFleet(agents: number, partitions: number, seconds: number, intervalSeconds = 5): FailoverFleet {
  const start = Date.UTC(2026, 2, 1);
  const records: ProduceRecord[] = [];
  let heartbeats = 0;
  let ticks = 0;
  const silentFrom = Math.floor(seconds / 3);
  const pause = { from: Math.floor(seconds / 2), to: Math.floor(seconds / 2) + 8 * intervalSeconds };
  for (let s = 0; s < seconds; s++) {
    for (let partition = 0; partition < partitions; partition++) {
      const tick: TickEvent = { type: 'tick', version: CONTRACT_VERSION, id: `tick-${s}-${partition}`, time: new Date(start + s * 1000).toISOString(), data: { partition } };
      records.push({ key: null, value: JSON.stringify(tick), partition });
      ticks++;
    }
    for (let a = 0; a < agents; a++) {
      // Agent `a` beats in the second a mod interval of each interval, at a millisecond offset of its own.
      if (s % intervalSeconds !== a % intervalSeconds) continue;
      if (a % 10 === 0 && s >= silentFrom) continue;
      if (a % 10 === 1 && s >= pause.from && s < pause.to) continue;
      const at = new Date(start + s * 1000 + ((a * 37) % 1000)).toISOString();
      const seq = Math.floor(s / intervalSeconds);
      const beat: HeartbeatEvent = {
        type: 'heartbeat',
        version: CONTRACT_VERSION,
        id: `hb-${a}-${seq}`,
        time: at,
        tenant: 'acme',
        agentId: `agent-${a}`,
        data: { instanceId: `i-${a}`, intervalSeconds, seq, sentAt: at, receivedAt: at, progress: { completed: seq, inFlight: 1 } },
      };
      records.push({ key: agentKey('acme', `agent-${a}`), value: JSON.stringify(beat) });
      heartbeats++;
    }
  }
  return { records, heartbeats, ticks };
}
