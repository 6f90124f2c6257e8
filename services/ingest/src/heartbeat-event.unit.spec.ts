import { randomUUID } from 'node:crypto';
import { HeartbeatEvent, HeartbeatInput, decodeAgentEvent } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import { toHeartbeatEvent } from './heartbeat-event.ts';

/** Every optional field of a posted beat, each present or absent in the combinations below. */
const OPTIONAL: Record<string, unknown> = {
  instanceId: 'i-7',
  intervalSeconds: 0.5,
  seq: 12,
  sentAt: '2026-01-01T00:00:00.000Z',
  metrics: [{ success: true, latencyMs: 420, costUsd: 0.003 }, { success: false }],
  progress: { completed: 3, inFlight: 1 },
  host: 'box-1',
  pid: 4242,
  version: '1.2.3',
  labels: { team: 'search', tier: 'gold' },
  eventLoopDelayMs: { p50: 1.5, p99: 20, max: 31 },
};

/** Posted bodies, one per `step`-th combination of the optional fields (all 2^n would be slow and say no more). */
function* bodies(step: number): Generator<{ mask: number; body: Record<string, unknown> }> {
  const names = Object.keys(OPTIONAL);
  for (let mask = 0; mask < 1 << names.length; mask += step) {
    const body: Record<string, unknown> = { agentId: `agent-${mask}` };
    names.forEach((name, i) => {
      if (mask & (1 << i)) body[name] = OPTIONAL[name];
    });
    yield { mask, body };
  }
}

describe('toHeartbeatEvent', () => {
  // The ingest route appends what this builds without parsing it again, so validity must hold by construction.
  it('builds a valid HeartbeatEvent from every valid input, whichever optional fields it carries', () => {
    for (const { body } of bodies(7)) {
      const input = HeartbeatInput.parse(body);
      const event = toHeartbeatEvent(input, { tenant: 'acme-2', id: randomUUID(), receivedAt: new Date().toISOString() });
      const parsed = HeartbeatEvent.safeParse(event);
      expect(parsed.success, `${JSON.stringify(body)}: ${parsed.error?.message ?? ''}`).toBe(true);
      expect(parsed.data).toEqual(event);
      // What goes to the log is the JSON text: it must carry exactly the posted fields (and the defaults), no others.
      expect(Object.keys(JSON.parse(JSON.stringify(event.data))).sort()).toEqual(
        [...new Set([...Object.keys(body).filter((k) => k !== 'agentId'), 'instanceId', 'intervalSeconds', 'sentAt', 'receivedAt'])].sort(),
      );
    }
  });

  // The writer thread hands the built event to its consumers beside its JSON (agentEventOfRecord) in place of
  // decoding it: it must be, as JSON, exactly what decoding gives back (fields, values and order), whichever optional
  // fields the beat had.
  it('builds an event whose JSON decodes back to it, field for field and in the same order', () => {
    for (const { mask, body } of bodies(5)) {
      const event = toHeartbeatEvent(HeartbeatInput.parse(body), { tenant: 'acme', id: `e-${mask}`, receivedAt: '2026-01-01T00:00:05.000Z' });
      const text = JSON.stringify(event);
      const decoded = decodeAgentEvent(text);
      expect(JSON.stringify(decoded), text).toBe(text);
      expect(JSON.stringify(decoded.data), text).toBe(JSON.stringify(event.data));
      expect(decoded).toEqual(event);
    }
  });

  it('takes the receive time as event time and defaults what the agent left out', () => {
    const event = toHeartbeatEvent(HeartbeatInput.parse({ agentId: 'a1' }), { tenant: 't', id: randomUUID(), receivedAt: '2026-01-01T00:00:01.000Z' });
    expect(event).toMatchObject({ type: 'heartbeat', time: '2026-01-01T00:00:01.000Z', tenant: 't', agentId: 'a1' });
    expect(event.data).toEqual({ instanceId: 'default', intervalSeconds: 30, sentAt: '2026-01-01T00:00:01.000Z', receivedAt: '2026-01-01T00:00:01.000Z' });
  });
});
