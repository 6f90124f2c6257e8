import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAgentEvent, decodeOutputEvent, topicNames, type AgentEvent, type DetectorOutputEvent } from '@vigil/contracts';
import { eventTimeOf, replay } from '@vigil/core';
import { defaultDetectorServiceOptions } from '@vigil/detector';
import { EmbeddedLog } from '@vigil/log';
import { afterAll, describe, expect, it } from 'vitest';
import { startDetectorProcess, type DetectorProcess } from '../support/detector-process.ts';
import { writeFleetLog } from './fleet-log.ts';
import { groupProgress, readTopic } from './log-reading.ts';
import { compareOutputs, countByType, type OutputDifference } from './output-comparison.ts';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * Issue acceptance: a detector SIGKILLed at random points and restarted emits exactly what an uninterrupted detector
 * emits — none lost, none doubled, each agent's outputs in the same order — and both equal `replay()` of the log.
 * Real processes (`vigil serve detector`) on a real embedded log file; the seed makes the fleet and the kill points
 * the same on every run (override with CRASH_SEED to explore).
 */
const EVENTS = 200_000;
const AGENTS = 2_000;
const PARTITIONS = 4;
const KILLS = 5;
const SEED = Number(process.env['CRASH_SEED'] ?? 20260301);
const topics = topicNames('vigil.');
const groupId = defaultDetectorServiceOptions('vigil.').groupId;

const dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const elapsed = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** A fresh copy of the generated log, so each run starts from the same bytes. */
function copyOfLog(template: string, name: string): string {
  const file = join(dir, name);
  copyFileSync(template, file);
  if (existsSync(`${template}-wal`)) copyFileSync(`${template}-wal`, `${file}-wal`);
  return file;
}

/** Polls the group's committed offsets until `done` says stop; resolves with the last progress seen. */
async function watch(log: EmbeddedLog, done: (p: { committed: number; end: number }) => boolean, proc: DetectorProcess): Promise<{ committed: number; end: number }> {
  let exited: number | string | null = null;
  void proc.exited.then((code) => (exited = code));
  for (;;) {
    const progress = await groupProgress(log, groupId, topics.agentEvents);
    if (done(progress)) return progress;
    if (exited !== null) throw new Error(`the detector exited (${exited}) at ${progress.committed}/${progress.end}:\n${proc.stderr()}`);
    await sleep(3);
  }
}

async function outputsOf(file: string): Promise<DetectorOutputEvent[]> {
  const log = new EmbeddedLog({ path: file });
  try {
    return (await readTopic(log, topics.statusTransitions)).map((r) => decodeOutputEvent(r.value));
  } finally {
    await log.close();
  }
}

/** Runs a detector to the end of the log and stops it with SIGTERM (which must drain and exit 0). */
async function runToEnd(file: string): Promise<void> {
  const log = new EmbeddedLog({ path: file });
  try {
    const proc = await startDetectorProcess(`sqlite:${file}`);
    await watch(log, (p) => p.committed === p.end, proc);
    proc.child.kill('SIGTERM');
    expect(await proc.exited, proc.stderr()).toBe(0);
  } finally {
    await log.close();
  }
}

function describeDifference(d: OutputDifference): string {
  return `missing ${d.missing.length} (e.g. ${d.missing.slice(0, 3).join(', ')}), extra ${d.extra.length} (e.g. ${d.extra.slice(0, 3).join(', ')}), changed ${d.changed.length}, agents with another sequence ${d.reordered.length} (e.g. ${d.reordered.slice(0, 3).join(', ')})`;
}

describe('detector crash recovery (vigil serve detector, SIGKILL)', () => {
  it(`emits exactly the uninterrupted run's outputs after ${KILLS} SIGKILLs at random points, and both equal replay()`, { timeout: 300_000 }, async () => {
    let t = performance.now();
    const template = join(dir, 'template.db');
    const span = await writeFleetLog(template, { events: EVENTS, agents: AGENTS, partitions: PARTITIONS, seed: SEED });
    console.log(`[crash] wrote ${EVENTS} events of ${AGENTS} agents in ${PARTITIONS} partitions (${span.firstAt} .. ${span.lastAt}) in ${elapsed(t)}`);

    // Reference: one detector process, never interrupted.
    t = performance.now();
    const referenceFile = copyOfLog(template, 'reference.db');
    await runToEnd(referenceFile);
    const reference = await outputsOf(referenceFile);
    console.log(`[crash] uninterrupted run: ${reference.length} outputs ${JSON.stringify(countByType(reference))} in ${elapsed(t)}`);

    // Crash run: SIGKILL when the committed offset passes a random threshold, plus a random delay so that kills also
    // land inside a batch and inside a transaction, not only right after a commit; restart after each.
    t = performance.now();
    const crashFile = copyOfLog(template, 'crash.db');
    const random = seededRandom(SEED ^ 0x5eed);
    const thresholds = Array.from({ length: KILLS }, () => Math.floor((0.05 + random() * 0.9) * EVENTS)).sort((a, b) => a - b);
    // The watcher's log instance also compacts the detector's changelog every 200 ms, as another process sharing the
    // file may, so recovery is exercised against concurrent compaction too.
    const monitor = new EmbeddedLog({ path: crashFile, retentionCheckIntervalMs: 200 });
    const kills: string[] = [];
    try {
      for (const [i, threshold] of thresholds.entries()) {
        const proc = await startDetectorProcess(`sqlite:${crashFile}`);
        await watch(monitor, (p) => p.committed >= threshold, proc);
        const delayMs = Math.floor(random() * 40);
        await sleep(delayMs);
        proc.child.kill('SIGKILL');
        expect(await proc.exited).toBe('SIGKILL');
        const { committed } = await groupProgress(monitor, groupId, topics.agentEvents);
        kills.push(`#${i + 1}: threshold ${threshold}, +${delayMs} ms, committed ${committed}/${EVENTS} at death`);
        console.log(`[crash] SIGKILL ${kills[kills.length - 1]}`);
      }
    } finally {
      await monitor.close();
    }
    await runToEnd(crashFile);
    const crashed = await outputsOf(crashFile);
    console.log(`[crash] crash run (${KILLS} SIGKILLs, ${KILLS + 1} processes): ${crashed.length} outputs in ${elapsed(t)}`);

    // replay() over the same log: the partitions merged in event time (ticks first within a millisecond, as they are
    // written), which keeps each partition's — hence each agent's — order.
    t = performance.now();
    const input = await (async () => {
      const log = new EmbeddedLog({ path: template });
      try {
        return await readTopic(log, topics.agentEvents);
      } finally {
        await log.close();
      }
    })();
    const events = input
      .map((r) => ({ r, e: decodeAgentEvent(r.value) }))
      .map(({ r, e }) => ({ r, e, at: eventTimeOf(e), tick: e.type === 'tick' ? 0 : 1 }))
      .sort((x, y) => x.at - y.at || x.tick - y.tick || x.r.partition - y.r.partition || x.r.offset - y.r.offset)
      .map(({ e }): AgentEvent => e);
    const replayed = replay(events, { config: defaultDetectorServiceOptions('vigil.', { windowMs: 1000 }).detector });
    console.log(`[crash] replay(): ${replayed.length} outputs in ${elapsed(t)}`);

    const crashVsReference = compareOutputs(reference, crashed);
    expect(crashVsReference, `crash run vs uninterrupted run: ${describeDifference(crashVsReference)}; kills: ${kills.join('; ')}`).toEqual({
      missing: [],
      extra: [],
      changed: [],
      reordered: [],
    });
    // Transition ids are content hashes, so equal ids mean equal transitions; the content check above already holds.
    const replayVsReference = compareOutputs(replayed, reference, false);
    expect(replayVsReference, `uninterrupted run vs replay(): ${describeDifference(replayVsReference)}`).toEqual({
      missing: [],
      extra: [],
      changed: [],
      reordered: [],
    });
    expect(reference.filter((e) => e.type === 'status-transitioned').length).toBeGreaterThan(1000);
    expect(reference.filter((e) => e.type === 'metric-summary').length).toBeGreaterThan(1000);
  });
});
