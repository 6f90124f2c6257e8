import type { AgentEvent, DetectorOutputEvent } from '@vigil/contracts';
import { Detector, formatIsoMs } from '@vigil/core';
import { describe, expect, it } from 'vitest';

// Regression: the detector set `flapping` after more than 3 restarts in 10 minutes but cleared it only on a later
// restart, so an agent that crash-looped once and then ran fine stayed flagged (and unpaged-for) forever.
describe('issue: the flapping flag never cleared for an agent that became stable', () => {
  it('clears it with agent-flapping-cleared 10 minutes after the last restart, with no restart needed', () => {
    const T0 = Date.UTC(2026, 0, 1);
    const d = new Detector();
    const out: DetectorOutputEvent[] = [];
    const at = (s: number): string => formatIsoMs(T0 + s * 1000);
    const events: AgentEvent[] = [];
    for (let s = 0; s <= 700; s++) {
      const instance = s < 40 ? `i${Math.floor(s / 10)}` : 'i4';
      if (s % 10 === 0) events.push({ type: 'heartbeat', version: 1, id: `hb${s}`, tenant: 'default', agentId: 'a1', time: at(s), data: { instanceId: instance, intervalSeconds: 30, seq: s, sentAt: at(s), receivedAt: at(s) } });
      events.push({ type: 'tick', version: 1, id: `t${s}`, time: at(s), data: { partition: 0 } });
    }
    for (const e of events) d.apply(e, out);
    const cleared = out.filter((o) => o.type === 'agent-flapping-cleared');
    expect(cleared.map((o) => o.time)).toEqual([at(40 + 600)]); // flapping from the 4th restart (40 s)
    expect(d.agents.get('default', 'a1')?.flapping).toBe(false);
  });
});
