import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicNames } from '@vigil/contracts';
import { EmbeddedLog } from '@vigil/log';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../e2e/support/wait-for.ts';
import { startServeProcess, type ServeProcess } from '../support/detector-process.ts';
import { writeForgetLog, writeTicks } from './forget-log.ts';
import { expectForgottenStayForgotten, lateEventsAlreadyRead, PROJECTOR_GROUPS } from './forget-checks.ts';
import { groupProgress } from './log-reading.ts';

/**
 * Issue 8, forgetting: a projector SIGKILLed after it folded agents' `agent-forgotten` facts, but before its consumer
 * of agent-events read those agents' last kills, resumes, goodbye and thresholds (they sit behind a backlog of beats),
 * must still drop those events when it comes back: the forgotten agents' event-store streams stay deleted and their
 * read-model rows absent. Real `vigil serve projector` processes on one embedded SQLite file holding log, event store
 * and read model, as `vigil up` keeps them. Then the guards go: once the platform's next ticks are read past the point
 * where the facts were folded, no tombstone is left.
 */
const PARTITIONS = 4;
const topics = topicNames('vigil.');
const groups = PROJECTOR_GROUPS('vigil.');

const dir = mkdtempSync(join(tmpdir(), 'vigil-projector-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const elapsed = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;

describe('projector crash recovery with forgotten agents (vigil serve projector, embedded log, SIGKILL)', () => {
  it('keeps forgotten agents forgotten across a SIGKILL between their facts and their late events, then releases the guards', { timeout: 240_000 }, async () => {
    const file = join(dir, 'vigil.db');
    const spec = `sqlite:${file}`;
    const env = { VIGIL_STORE: spec, VIGIL_READ_MODEL: spec };
    const monitor = new EmbeddedLog({ path: file });
    let proc: ServeProcess | null = null;
    let written;
    try {
      let t = performance.now();
      await monitor.ensureTopic(topics.agentEvents, { partitions: PARTITIONS, retentionMs: 24 * 3600 * 1000 });
      await monitor.ensureTopic(topics.statusTransitions, { partitions: PARTITIONS, retentionMs: 7 * 24 * 3600 * 1000 });
      written = await writeForgetLog(monitor, topics, { agents: 1000, victims: 12, horizonMs: 1_000_000, partitions: PARTITIONS });
      console.log(`[projector-crash] wrote ${written.agentEvents} agent events and ${written.outputs} detector outputs in ${elapsed(t)}`);

      // Run 1: SIGKILL as soon as every fact is folded (the transitions group has committed the whole topic).
      t = performance.now();
      proc = await startServeProcess('projector', spec, env);
      await waitUntil('the transitions folded', () => groupProgress(monitor, groups.transitions, topics.statusTransitions), (p) => p.committed === p.end, {
        timeoutMs: 60_000,
        intervalMs: 2,
      });
      proc.child.kill('SIGKILL');
      expect(await proc.exited).toBe('SIGKILL');
      proc = null;
      const atDeath = await groupProgress(monitor, groups.events, topics.agentEvents);
      console.log(`[projector-crash] SIGKILL after ${elapsed(t)}: facts folded, agent-events committed ${atDeath.committed} of ${atDeath.end}`);
      // What makes the test mean something: the late events were still unread when the projector died.
      expect(await lateEventsAlreadyRead(monitor, groups.events, topics.agentEvents, written), 'late events read before the SIGKILL: lengthen the backlog').toEqual([]);

      // Run 2: the projector comes back on the same file and folds the backlog, the late events among it.
      t = performance.now();
      proc = await startServeProcess('projector', spec, env);
      await waitUntil('agent-events folded', () => groupProgress(monitor, groups.events, topics.agentEvents), (p) => p.committed === p.end, {
        timeoutMs: 120_000,
        intervalMs: 50,
      });
      const held = await proc.counter('forgetGuards');
      console.log(`[projector-crash] restarted projector caught up in ${elapsed(t)}; ${held} guards held`);
      expect(held).toBe(written.forgotten.length);

      // The platform's clock ticks into every partition each second: with the next batches every guard is released.
      await writeTicks(monitor, topics, PARTITIONS, 1_001_000);
      const running = proc;
      await waitUntil('the guards released', () => running.counter('forgetGuards'), (n) => n === 0, { timeoutMs: 30_000, intervalMs: 50 });
      await proc.stop();
      expect(await proc.exited, proc.stderr()).toBe(0);
      proc = null;
    } finally {
      if (proc !== null) await proc.stop();
      await monitor.close();
    }

    const store = new SqliteEventStore({ path: file });
    const readModel = new SqliteReadModel({ path: file, sweepOnTimer: false });
    try {
      await expectForgottenStayForgotten(store, readModel, written);
    } finally {
      await Promise.all([store.close(), readModel.close()]);
    }
  });
});
