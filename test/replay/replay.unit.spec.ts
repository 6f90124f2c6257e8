import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration, replayJsonl, type ReplayJsonlOptions } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { FLEET_UNTIL, fleetFixture } from './fleet.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const update = process.env.UPDATE_GOLDEN === '1';

interface FixtureArgs {
  until?: string;
  all?: boolean;
  degradedAfter?: string;
  unreachableAfter?: string;
}

function optionsOf(args: FixtureArgs): ReplayJsonlOptions {
  const thresholds = {
    ...(args.degradedAfter ? { degradedAfterMs: parseDuration(args.degradedAfter) } : {}),
    ...(args.unreachableAfter ? { unreachableAfterMs: parseDuration(args.unreachableAfter) } : {}),
  };
  return { ...(args.until ? { until: Date.parse(args.until) } : {}), ...(args.all ? { all: true } : {}), config: { thresholds } };
}

function replayFixture(name: string): string {
  const args = JSON.parse(readFileSync(join(dir, `${name}.args.json`), 'utf8')) as FixtureArgs;
  return replayJsonl(readFileSync(join(dir, `${name}.jsonl`), 'utf8'), optionsOf(args));
}

/** `from->to@HH:MM:SS` of every transition of one agent, to state expectations compactly. */
function timeline(output: string, agentId = 'a1'): string[] {
  return output
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; agentId: string; data: { from: string; to: string; at: string } })
    .filter((e) => e.type === 'status-transitioned' && e.agentId === agentId)
    .map((e) => `${e.data.from}->${e.data.to}@${e.data.at.slice(11, 19)}`);
}

/** `agentId:cause@HH:MM:SS` of every agent-forgotten fact. */
function forgettings(output: string): string[] {
  return output
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; agentId: string; time: string; data: { cause: string } })
    .filter((e) => e.type === 'agent-forgotten')
    .map((e) => `${e.agentId}:${e.data.cause}@${e.time.slice(11, 19)}`);
}

const names = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl') && !f.endsWith('.golden.jsonl'))
  .map((f) => f.replace(/\.jsonl$/, ''))
  .sort();

describe('replay fixtures match their golden output byte for byte', () => {
  it.each(names)('%s', (name) => {
    const output = replayFixture(name);
    const golden = join(dir, `${name}.golden.jsonl`);
    if (update || !existsSync(golden)) writeFileSync(golden, output);
    expect(output).toBe(readFileSync(golden, 'utf8'));
    expect(replayFixture(name)).toBe(output); // twice, same bytes
  });
});

describe('replay fixtures say what their timelines mean', () => {
  it('deadlock: last beat 01:00, degraded at 02:30, unreachable at 06:00', () => {
    expect(timeline(replayFixture('deadlock'))).toEqual(['unknown->healthy@00:00:00', 'healthy->degraded@00:02:30', 'degraded->unreachable@00:06:00']);
  });

  it('kill while healthy then resume: killed at 00:45 whatever the beats say, healthy at resume', () => {
    expect(timeline(replayFixture('kill-healthy-resume'))).toEqual(['unknown->healthy@00:00:00', 'healthy->killed@00:00:45', 'killed->healthy@00:02:10']);
  });

  it('kill while unreachable then resume: resumed straight to unreachable, healthy on the next beat', () => {
    expect(timeline(replayFixture('kill-unreachable-resume'))).toEqual([
      'unknown->healthy@00:00:00',
      'healthy->degraded@00:01:30',
      'degraded->unreachable@00:05:00',
      'unreachable->killed@00:06:40',
      'killed->unreachable@00:08:20',
      'unreachable->healthy@00:08:40',
    ]);
  });

  it('graceful stop: stopped and never degraded afterwards', () => {
    expect(timeline(replayFixture('graceful-stop'))).toEqual(['unknown->healthy@00:00:00', 'healthy->stopped@00:00:40']);
  });

  it('flapping cleared: flapping from the fourth restart (01:20), cleared by its own event 10 min after the last (11:20)', () => {
    const lines = replayFixture('flapping-cleared').trim().split('\n').map((l) => JSON.parse(l) as { type: string; time: string; data: { flapping?: boolean } });
    const facts = lines.filter((l) => l.type === 'agent-restarted' || l.type === 'agent-flapping-cleared').map((l) => `${l.type === 'agent-restarted' ? String(l.data.flapping) : 'cleared'}@${l.time.slice(11, 19)}`);
    expect(facts).toEqual(['false@00:00:20', 'false@00:00:40', 'false@00:01:00', 'true@00:01:20', 'cleared@00:11:20']);
  });

  it('restart loop: seven restarts, flapping from the fourth', () => {
    const lines = replayFixture('restart-loop').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { flapping?: boolean } });
    const restarts = lines.filter((l) => l.type === 'agent-restarted');
    expect(restarts.map((r) => r.data.flapping)).toEqual([false, false, false, true, true, true, true]);
  });

  it('out-of-order and late events never move last-seen backwards; a late beat still counts as a sign of life', () => {
    const out = replayFixture('out-of-order-late');
    expect(timeline(out, 'a1')).toEqual(['unknown->healthy@00:00:00', 'healthy->degraded@00:02:10', 'degraded->unreachable@00:05:40']);
    // a2's first beat (00:00) arrives after 00:30 closed: registered at its receive time, reported in the open window.
    expect(timeline(out, 'a2')).toEqual(['unknown->healthy@00:00:00', 'healthy->degraded@00:01:30', 'degraded->healthy@00:01:35', 'healthy->degraded@00:03:05', 'degraded->unreachable@00:06:35']);
  });

  it('a skewed sentAt changes nothing: the same timeline as honest clocks', () => {
    expect(timeline(replayFixture('skewed-sentat'))).toEqual(['unknown->healthy@00:00:00', 'healthy->degraded@00:02:30']);
  });

  it('a 100 s pause: degraded at +90 s, healthy again at +100 s, never unreachable', () => {
    expect(timeline(replayFixture('pause-100s'))).toEqual(['unknown->healthy@00:00:00', 'healthy->degraded@00:02:30', 'degraded->healthy@00:02:40']);
  });

  it('stalled: in flight with no progress for 5 intervals, healthy when it completes again', () => {
    expect(timeline(replayFixture('stalled'))).toEqual(['unknown->healthy@00:00:00', 'healthy->stalled@00:03:00', 'stalled->healthy@00:06:30']);
  });

  it('forget and return: forgotten at 01:10, no transition until it beats again at 03:20, then a new life', () => {
    const out = replayFixture('forget-and-return');
    expect(timeline(out)).toEqual(['unknown->healthy@00:00:00', 'unknown->healthy@00:03:20', 'healthy->degraded@00:04:50']);
    expect(forgettings(out)).toEqual(['a1:operator@00:01:10']);
  });

  it('retention of 10 minutes: stopped a1 forgotten at 10:40, unreachable a2 at 15:00, beating a3 never', () => {
    const out = replayFixture('retention-forget');
    expect(timeline(out, 'a2')).toEqual(['unknown->healthy@00:00:00', 'healthy->degraded@00:01:30', 'degraded->unreachable@00:05:00']);
    expect(forgettings(out)).toEqual(['a1:retention@00:10:40', 'a2:retention@00:15:00']);
  });

  it('platform blind for 10 minutes: nobody convicted for it; degraded a full 90 s after ticks resume', () => {
    expect(timeline(replayFixture('blind-10min'))).toEqual(['unknown->healthy@00:00:00', 'healthy->degraded@00:12:30', 'degraded->unreachable@00:16:00']);
  });
});

describe('replay of 10,000 agents with jittered intervals', () => {
  it('is deterministic and matches its golden digest and counts', () => {
    const input = fleetFixture();
    const output = replayJsonl(input, { until: Date.parse(FLEET_UNTIL) });
    const digest = createHash('sha256').update(output).digest('hex');
    const counts: Record<string, number> = {};
    for (const line of output.trim().split('\n')) {
      const e = JSON.parse(line) as { type: string; data: { from?: string; to?: string } };
      const k = e.type === 'status-transitioned' ? `${e.data.from}->${e.data.to}` : e.type;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    const golden = join(dir, 'fleet-10k.golden.json');
    if (update || !existsSync(golden)) writeFileSync(golden, JSON.stringify({ digest, counts }, null, 2) + '\n');
    expect({ digest, counts }).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
    const sum = (pred: (k: string) => boolean): number => Object.entries(counts).filter(([k]) => pred(k)).reduce((n, [, v]) => n + v, 0);
    const seen = new Set(input.trim().split('\n').map((l) => (JSON.parse(l) as { agentId: string }).agentId));
    expect(sum((k) => k.startsWith('unknown->'))).toBe(seen.size); // every agent once (some killed before their first beat)
    expect(sum((k) => k.endsWith('->killed'))).toBe(200);
    expect(sum((k) => k === 'healthy->degraded')).toBeGreaterThan(800); // most of the tenth that went silent (some too late to be degraded by then, some killed)
    expect(sum((k) => k === 'healthy->degraded')).toBeLessThan(1000);
    expect(replayJsonl(input, { until: Date.parse(FLEET_UNTIL) })).toBe(output);
  }, 60_000);
});
