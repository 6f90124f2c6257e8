/**
 * Writes the hand-specified replay fixtures under test/replay/fixtures/ (run: `npx tsx test/replay/make-fixtures.ts`).
 * The fixtures are committed; this script only documents how each timeline was built. Golden outputs are written by
 * the replay test with UPDATE_GOLDEN=1 and then reviewed by hand against the expectations asserted in that test.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const T0 = Date.UTC(2026, 0, 1);
const iso = (sec: number): string => new Date(T0 + sec * 1000).toISOString();
type Line = Record<string, unknown>;
const beat = (agentId: string, sec: number, extra: Line = {}): Line => ({ type: 'heartbeat', agentId, receivedAt: iso(sec), ...extra });

function write(name: string, lines: Line[], args: Line): void {
  writeFileSync(join(dir, `${name}.jsonl`), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  writeFileSync(join(dir, `${name}.args.json`), JSON.stringify(args, null, 2) + '\n');
}

// Beats every 30 s from 00:00, last at 01:00: degraded at 02:30, unreachable at 06:00.
write('deadlock', [0, 30, 60].map((s) => beat('a1', s)), { until: iso(420) });

// Kill while healthy, beats keep coming (ignored), resume: healthy again.
write(
  'kill-healthy-resume',
  [...[0, 30, 60, 90, 120, 150].map((s) => beat('a1', s)), { type: 'agent-killed', agentId: 'a1', time: iso(45), by: 'ops', reason: 'runaway cost' }, { type: 'agent-resumed', agentId: 'a1', time: iso(130), by: 'ops' }].sort(
    (a, b) => String(a.receivedAt ?? a.time).localeCompare(String(b.receivedAt ?? b.time)),
  ),
  { until: iso(200) },
);

// Silent until unreachable, killed, resumed while still silent (stays unreachable), then beats: healthy.
write(
  'kill-unreachable-resume',
  [beat('a1', 0), { type: 'agent-killed', agentId: 'a1', time: iso(400), by: 'ops', reason: 'investigating' }, { type: 'agent-resumed', agentId: 'a1', time: iso(500), by: 'ops', reason: 'fixed' }, beat('a1', 520)],
  { until: iso(600) },
);

// Goodbye: stopped, never degraded afterwards.
write('graceful-stop', [beat('a1', 0), beat('a1', 30), { type: 'agent-stopped', agentId: 'a1', time: iso(40), instanceId: 'default', reason: 'deploy' }], { until: iso(600) });

// A restart loop: a new instance every 20 s; flapping after the 4th restart in 10 minutes.
write(
  'restart-loop',
  Array.from({ length: 8 }, (_, i) => beat('a1', i * 20, { instanceId: `i${i}` })),
  { until: iso(200), all: true },
);

// Out-of-order and late events: a beat older than the last one, and one arriving after its window closed.
write(
  'out-of-order-late',
  [beat('a1', 0), beat('a1', 30), beat('a1', 25), beat('a2', 0), beat('a2', 95), beat('a1', 40)],
  { until: iso(400) },
);

// A skewed agent clock: sentAt an hour in the future changes nothing (receivedAt is event time).
write('skewed-sentat', [0, 30, 60].map((s) => beat('a1', s, { sentAt: iso(s + 3600) })), { until: iso(200) });

// A 100 s pause in 30 s beats: degraded at +90 s, healthy again at +100 s, never unreachable.
write('pause-100s', [0, 30, 60, 160, 190, 220].map((s) => beat('a1', s)), { until: iso(300) });

// Stalled: beats keep coming, 2 in flight, completed stuck at 7 from 00:30; stalled 5 intervals later, then progress.
write(
  'stalled',
  Array.from({ length: 14 }, (_, i) => beat('a1', i * 30, { progress: { completed: i < 1 ? 0 : i === 13 ? 8 : 7, inFlight: 2 } })),
  { until: iso(420) },
);

// Forgotten on request at 01:10 (no degraded at 02:30 follows), back as new with its beat at 03:20.
write(
  'forget-and-return',
  [beat('a1', 0), beat('a1', 30), beat('a1', 60), { type: 'agent-forgotten', agentId: 'a1', time: iso(70), by: 'ops', reason: 'decommissioned' }, beat('a1', 200)],
  { until: iso(400) },
);

// Retention of 10 minutes for the tenant: a1 stops at 00:40 and is forgotten at 10:40; a2 goes silent, unreachable at
// 05:00, forgotten at 15:00; a3 keeps beating and stays.
write(
  'retention-forget',
  [
    { type: 'retention-set', time: iso(0), forgetAfterMs: 600_000 },
    ...Array.from({ length: 40 }, (_, i) => beat('a3', i * 30)),
    beat('a1', 0),
    beat('a2', 0),
    { type: 'agent-stopped', agentId: 'a1', time: iso(40), instanceId: 'default' },
  ].sort((a, b) => String(a.receivedAt ?? a.time).localeCompare(String(b.receivedAt ?? b.time))),
  { until: iso(1200) },
);

// The platform is blind for 10 minutes (no ticks, no beats). Full envelopes with explicit ticks, as stored.
const blind: Line[] = [];
const env = (s: number, id: string): Line => ({ version: 1, id, time: iso(s) });
for (let s = 0; s <= 1500; s++) {
  if (s > 60 && s < 660) continue;
  blind.push({ ...env(s, `tick-${s}`), type: 'tick', data: { partition: 0 } });
  if (s % 30 === 0 && s <= 60) {
    blind.push({ ...env(s, `hb-${s}`), type: 'heartbeat', tenant: 'default', agentId: 'a1', data: { instanceId: 'i1', intervalSeconds: 30, seq: s / 30, sentAt: iso(s), receivedAt: iso(s) } });
  }
}
write('blind-10min', blind, {});
console.log(`fixtures written to ${dir}`);
