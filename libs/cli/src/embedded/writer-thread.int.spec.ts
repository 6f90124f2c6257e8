import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentKey, topicNames, VigilError } from '@vigil/contracts';
import { heartbeatRecordsOf, toHeartbeatEvent } from '@vigil/ingest';
import { EmbeddedLog, type RecordPosition } from '@vigil/log';
import { SqliteReadModel } from '@vigil/store';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePlatformTopics } from '../platform/platform-topics.ts';
import type { WriterThreadInit } from './writer-thread-protocol.ts';
import { WriterThread } from './writer-thread.ts';

// A real writer thread (worker_threads, started through bin/writer-thread.js, its detector and projector running) on
// a temporary file, read back through a reading EmbeddedLog and read model of this thread.
const logger = pino({ level: 'silent' });
const topics = topicNames('t.');

describe('WriterThread (embedded mode writer thread)', () => {
  let dir: string;
  let file: string;
  let reader: EmbeddedLog;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-writer-thread-'));
    file = join(dir, 'vigil.db');
    reader = new EmbeddedLog({ path: file, housekeeping: false });
    await ensurePlatformTopics(reader, topics, 2);
  });
  afterEach(async () => {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (flowControl?: WriterThreadInit['flowControl']): Promise<WriterThread> =>
    WriterThread.start(
      {
        databaseFile: file,
        topics,
        topicPrefix: 't.',
        detector: { windowMs: 1000, degradedAfterMs: undefined, unreachableAfterMs: undefined, stalledAfterMs: undefined },
        retention: {},
        logLevel: 'silent',
        ...(flowControl === undefined ? {} : { flowControl }),
      },
      logger,
    );
  /** The value of `vigil_ingest_flow_control{counter}` in the thread's metrics. */
  const flow = async (writer: WriterThread, counter: string): Promise<number> =>
    Number(new RegExp(`^vigil_ingest_flow_control\\{counter="${counter}"\\} (\\d+)$`, 'm').exec(await writer.metricsText())?.[1] ?? NaN);

  let nextId = 0;
  const beat = (agentId: string, at: string): string =>
    JSON.stringify(toHeartbeatEvent({ agentId, instanceId: 'i', intervalSeconds: 30, sentAt: at }, { tenant: 'default', id: `beat-${++nextId}`, receivedAt: at }));

  it('commits concurrent appends with distinct positions, in each caller\'s order, and its projector folds them', async () => {
    const writer = await start();
    const readModel = new SqliteReadModel({ path: file, sweepOnTimer: false });
    try {
      const at = new Date().toISOString();
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => writer.append(topics.agentEvents, [{ key: `default\u0000a${i}`, value: beat(`a${i}`, at), partition: i % 2 }])),
      );
      const positions = answers.flat().map((p) => `${p.partition}:${p.offset}`);
      expect(new Set(positions).size).toBe(200);
      for (const [i, [p]] of answers.entries()) {
        const [record] = await reader.read(topics.agentEvents, p!.partition, p!.offset, 1);
        expect(JSON.parse(record!.value).agentId).toBe(`a${i}`); // each answer names the caller's own record
      }
      const deadline = Date.now() + 20_000;
      while ((await readModel.fleetTotals()).healthy !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await readModel.fleetTotals()).healthy).toBe(200);
      expect(await writer.metricsText()).toMatch(/vigil_projector\{counter="applied"\} \d+/);
    } finally {
      await readModel.close();
      await writer.stop();
    }
  });

  it('answers a bad append with the log\'s own typed error, and the others of the turn still commit', async () => {
    const writer = await start();
    try {
      const [bad, good] = await Promise.allSettled([
        writer.append('t.no-such-topic', [{ key: 'k', value: 'v' }]),
        writer.append(topics.agentEvents, [{ key: 'k', value: beat('ok', new Date().toISOString()) }]),
      ]);
      expect(bad.status).toBe('rejected');
      const err = (bad as PromiseRejectedResult).reason as VigilError;
      expect(err).toBeInstanceOf(VigilError);
      expect(err.code).toBe('VIGIL_ERR_TOPIC_NOT_FOUND');
      expect(good.status).toBe('fulfilled');
    } finally {
      await writer.stop();
    }
  });

  it('parses, validates and appends a heartbeat body handed over as text, and refuses a bad one with the route\'s own errors', async () => {
    const writer = await start();
    try {
      const receivedAt = new Date().toISOString();
      const context = { tenant: 'acme', receivedAt };
      const single = await writer.appendHeartbeats(topics.agentEvents, '{"agentId": "w1", "seq": 3, "progress": {"completed": 2, "inFlight": 1}}', context);
      expect(single).toEqual({ accepted: 1, agentIds: ['w1'] });
      const batch = await writer.appendHeartbeats(topics.agentEvents, JSON.stringify({ heartbeats: [{ agentId: 'w2' }, { agentId: 'w3' }, { agentId: 'w2' }] }), context);
      expect(batch).toEqual({ accepted: 3, agentIds: ['w2', 'w3'] });
      const refusals = await Promise.allSettled([
        writer.appendHeartbeats(topics.agentEvents, '{"agentId": "w4",', context),
        writer.appendHeartbeats(topics.agentEvents, '', context),
        writer.appendHeartbeats(topics.agentEvents, '{"heartbeats": [{"agentId": "w5"}, {"agentId": "w6", "seq": -1}]}', context),
        writer.appendHeartbeats(topics.agentEvents, '{"agentId": "w7", "__proto__": {"x": 1}}', context),
      ]);
      const errors = refusals.map((r) => (r.status === 'rejected' ? (r.reason as VigilError) : null));
      expect(errors.map((e) => e?.code)).toEqual(['VIGIL_ERR_MALFORMED_JSON', 'VIGIL_ERR_MALFORMED_JSON', 'VIGIL_ERR_VALIDATION', 'VIGIL_ERR_MALFORMED_JSON']);
      expect(errors.map((e) => e?.statusCode)).toEqual([400, 400, 400, 400]);
      expect(errors[2]!.details).toEqual({ field: 'heartbeats.1.seq' });
      // Exactly the four accepted beats are on the log, as the HTTP thread would have built them.
      const records = (await Promise.all([0, 1].map((p) => reader.read(topics.agentEvents, p, 0, 100)))).flat();
      const events = records.map((r) => JSON.parse(r.value) as { tenant: string; agentId: string; time: string; data: Record<string, unknown> });
      expect(events.map((e) => e.agentId).sort()).toEqual(['w1', 'w2', 'w2', 'w3']);
      for (const e of events) expect(e).toMatchObject({ tenant: 'acme', time: receivedAt, data: { instanceId: 'default', intervalSeconds: 30, receivedAt, sentAt: receivedAt } });
      expect(events.find((e) => e.agentId === 'w1')!.data).toMatchObject({ seq: 3, progress: { completed: 2, inFlight: 1 } });
      expect(new Set(records.map((r) => r.key))).toEqual(new Set(['w1', 'w2', 'w3'].map((a) => agentKey('acme', a))));
    } finally {
      await writer.stop();
    }
  });

  it('appends heartbeat records built on the HTTP thread, which its detector and projector fold as any beat', async () => {
    const writer = await start();
    const readModel = new SqliteReadModel({ path: file, sweepOnTimer: false });
    try {
      const at = new Date().toISOString();
      const events = Array.from({ length: 300 }, (_, i) => toHeartbeatEvent({ agentId: `h${i % 150}`, instanceId: 'i', intervalSeconds: 30, seq: i }, { tenant: 'acme', id: `hb-${i}`, receivedAt: at }));
      const positions = await writer.appendHeartbeatRecords(topics.agentEvents, heartbeatRecordsOf(events));
      expect(positions).toHaveLength(300);
      const deadline = Date.now() + 20_000;
      while ((await readModel.fleetSummary('acme')).healthy !== 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await readModel.fleetSummary('acme')).healthy).toBe(150);
      expect((await readModel.getAgent('acme', 'h7'))?.lastHeartbeatAt).toBe(at);
    } finally {
      await readModel.close();
      await writer.stop();
    }
  });

  it('holds appends to agent-events while its consumers are behind, and lands every one of them, in order, once they caught up', async () => {
    // No record may be unread: every append after the first waits for the detector and projector to commit it.
    const writer = await start({ maxUnreadRecords: 0, maxHoldMs: 60_000 });
    try {
      const at = new Date().toISOString();
      // One after the other, a few ms apart (the thread reads the lag at most every 2 ms): each finds the previous
      // one not yet committed by the consumers, and waits for them.
      const positions: RecordPosition[] = [];
      for (let i = 0; i < 20; i++) {
        const [p] = await writer.append(topics.agentEvents, [{ key: agentKey('default', 'g'), value: beat('g', at), partition: 0 }]);
        positions.push(p!);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(positions.map((p) => p.offset)).toEqual(Array.from({ length: 20 }, (_, i) => positions[0]!.offset + i));
      expect(await flow(writer, 'held')).toBeGreaterThan(0);
      expect(await flow(writer, 'overdue')).toBe(0);
      expect(await flow(writer, 'waiting')).toBe(0);
      // Appends to other topics never wait.
      const other = await writer.append(topics.statusTransitions, [{ key: 'k', value: 'v', partition: 0 }]);
      expect(other).toHaveLength(1);
    } finally {
      await writer.stop();
    }
  });

  it('when the thread dies, rejects what was in flight as retriable, keeps what was acknowledged, and settles failed', async () => {
    const writer = await start();
    const acknowledged = await writer.append(topics.agentEvents, [{ key: 'k', value: beat('before', new Date().toISOString()), partition: 0 }]);
    const inFlight = Array.from({ length: 50 }, () => writer.append(topics.agentEvents, [{ key: 'k', value: beat('during', new Date().toISOString()), partition: 0 }]));
    await writer.terminate();
    const reason = await writer.failed;
    expect(reason.message).toMatch(/exited/);
    const settled = await Promise.allSettled(inFlight);
    for (const s of settled) {
      if (s.status === 'rejected') {
        expect((s.reason as VigilError).code).toBe('VIGIL_ERR_LOG_UNAVAILABLE');
        expect((s.reason as VigilError).retriable).toBe(true);
      }
    }
    const after = await writer.append(topics.agentEvents, [{ key: 'k', value: 'x' }]).catch((e: VigilError) => e);
    expect((after as VigilError).code).toBe('VIGIL_ERR_LOG_UNAVAILABLE');
    // Everything acknowledged, before or during, is in the file.
    const ok = [acknowledged, ...settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<typeof acknowledged>).value)].flat();
    for (const p of ok) expect((await reader.read(topics.agentEvents, p.partition, p.offset, 1)).length).toBe(1);
    // A new writer thread on the same file takes over where the dead one stopped.
    const again = await start();
    try {
      const [next] = await again.append(topics.agentEvents, [{ key: 'k', value: beat('after', new Date().toISOString()), partition: 0 }]);
      expect(next!.offset).toBeGreaterThan(Math.max(...ok.map((p) => p.offset)));
    } finally {
      await again.stop();
    }
  });

  it('answers every append of a message it cannot hand over, also when a large one goes at once, and goes on', async () => {
    const writer = await start();
    try {
      const at = new Date().toISOString();
      // A function cannot cross the thread boundary: the message with it fails to be posted (a DataCloneError).
      const unsendable = Array.from({ length: 64 }, () => ({ key: 'k', value: beat('bad', at), partition: 0, decoded: () => 0 }));
      const small = writer.append(topics.agentEvents, [{ key: 'k', value: beat('small', at), partition: 0 }]);
      const large = writer.append(topics.agentEvents, unsendable);
      const settled = await Promise.allSettled([small, large]);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
      // The thread is fine: the next append lands.
      const [next] = await writer.append(topics.agentEvents, [{ key: 'k', value: beat('after', at), partition: 0 }]);
      expect((await reader.read(topics.agentEvents, next!.partition, next!.offset, 1)).map((r) => JSON.parse(r.value).agentId)).toEqual(['after']);
    } finally {
      await writer.stop();
    }
  });
});
