import type { AcceptedHeartbeats, HeartbeatRequestContext } from '@vigil/ingest';
import type { ProduceRecord, RecordPosition } from '@vigil/log';
import { describe, expect, it } from 'vitest';
import { WRITER_THREAD_BODY_MAX_CHARS, WriterThreadIntake } from './writer-thread-intake.ts';

/** A writer thread that records what it was handed: bodies whole, or records built on this thread. */
function writerThread(): {
  calls: string[];
  appended: ProduceRecord[][];
  writer: {
    appendHeartbeats(topic: string, text: string, c: HeartbeatRequestContext): Promise<AcceptedHeartbeats>;
    appendHeartbeatRecords(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]>;
  };
} {
  const calls: string[] = [];
  const appended: ProduceRecord[][] = [];
  return {
    calls,
    appended,
    writer: {
      appendHeartbeats: (_topic, text) => {
        calls.push(`text:${text.length}`);
        return Promise.resolve({ accepted: 1, agentIds: ['w'] });
      },
      appendHeartbeatRecords: (topic, records) => {
        calls.push(`records:${topic}:${records.length}`);
        appended.push([...records]);
        return Promise.resolve(records.map((_, offset) => ({ partition: 0, offset })));
      },
    },
  };
}

/** A batch body of `n` beats of agents a0, a1, a2, a0, ... (about 70 characters a beat). */
function batch(n: number): string {
  return JSON.stringify({ heartbeats: Array.from({ length: n }, (_, i) => ({ agentId: `a${i % 3}`, instanceId: 'i', intervalSeconds: 30 })) });
}

describe('WriterThreadIntake', () => {
  const context = { tenant: 't', receivedAt: '2026-01-01T00:00:00.000Z' };

  it('hands bodies up to the limit to the writer thread whole and builds longer ones here', async () => {
    const { calls, writer } = writerThread();
    const intake = new WriterThreadIntake(writer, 'agent-events');
    const small = batch(2);
    await intake.accept(small, context);
    const large = batch(Math.ceil(WRITER_THREAD_BODY_MAX_CHARS / 50));
    expect(large.length).toBeGreaterThan(WRITER_THREAD_BODY_MAX_CHARS);
    await intake.accept(large, context);
    expect(calls).toEqual([`text:${small.length}`, `records:agent-events:${Math.ceil(WRITER_THREAD_BODY_MAX_CHARS / 50)}`]);
  });

  it('answers a body built here with its beats and distinct agents, its records those of the heartbeat builder', async () => {
    const { appended, writer } = writerThread();
    let n = 0;
    const intake = new WriterThreadIntake(writer, 'agent-events', 0, () => `id-${n++}`);
    expect(await intake.accept(batch(4), context)).toEqual({ accepted: 4, agentIds: ['a0', 'a1', 'a2'] });
    const records = appended[0]!;
    expect(records.map((r) => r.key)).toEqual(['t/a0', 't/a1', 't/a2', 't/a0']);
    const first = JSON.parse(records[0]!.value) as { id: string; tenant: string; time: string; data: { receivedAt: string } };
    expect(first).toMatchObject({ id: 'id-0', tenant: 't', time: context.receivedAt, data: { receivedAt: context.receivedAt } });
  });

  it('refuses a bad body built here with the field named, handing nothing to the writer thread', async () => {
    const { calls, writer } = writerThread();
    const intake = new WriterThreadIntake(writer, 'agent-events', 0);
    await expect(intake.accept('{"heartbeats":[{"agentId":"a","instanceId":"i","intervalSeconds":-1}]}', context)).rejects.toMatchObject({
      code: 'VIGIL_ERR_VALIDATION',
      details: { field: 'heartbeats.0.intervalSeconds' },
    });
    await expect(intake.accept('{"heartbeats":', context)).rejects.toMatchObject({ code: 'VIGIL_ERR_MALFORMED_JSON' });
    expect(calls).toEqual([]);
  });
});
