/**
 * The 10,000-agent fixture, generated rather than committed (it would be megabytes): seeded, so every run makes the
 * same bytes. Agents beat every 30 s with ±3 s jitter; every 10th goes silent at a random time; every 50th is killed.
 */
import { seededRandom as rng } from '../support/seeded-random.ts';

const T0 = Date.UTC(2026, 0, 1);

/** JSONL of the fleet fixture, in receive order, minimal form. */
export function fleetFixture(agents = 10_000, durationSec = 600): string {
  const random = rng(20261128);
  const events: { at: number; line: string }[] = [];
  for (let a = 0; a < agents; a++) {
    const id = `agent-${String(a).padStart(5, '0')}`;
    const silentAt = a % 10 === 0 ? Math.floor(random() * durationSec * 1000) : Number.POSITIVE_INFINITY;
    let at = Math.floor(random() * 30_000);
    while (at < durationSec * 1000 && at < silentAt) {
      const metrics = a % 7 === 0 ? [{ success: random() > 0.1, latencyMs: Math.round(random() * 2000), costUsd: 0.001 }] : undefined;
      events.push({ at, line: JSON.stringify({ type: 'heartbeat', agentId: id, receivedAt: new Date(T0 + at).toISOString(), ...(metrics ? { metrics } : {}) }) });
      at += 30_000 + Math.floor((random() - 0.5) * 6000);
    }
    if (a % 50 === 25) {
      const killAt = Math.floor(random() * durationSec * 1000);
      events.push({ at: killAt, line: JSON.stringify({ type: 'agent-killed', agentId: id, time: new Date(T0 + killAt).toISOString(), by: 'ops', reason: 'test' }) });
    }
  }
  events.sort((x, y) => x.at - y.at);
  return events.map((e) => e.line).join('\n') + '\n';
}

/** `until` of the fleet fixture: 20 s past the last beats: only the agents that went silent early are degraded or unreachable. */
export const FLEET_UNTIL = new Date(T0 + 620_000).toISOString();
