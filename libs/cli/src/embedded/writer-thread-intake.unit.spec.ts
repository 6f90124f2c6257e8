import type { AcceptedHeartbeats, HeartbeatIntake, HeartbeatRequestContext } from '@vigil/ingest';
import { describe, expect, it } from 'vitest';
import { WRITER_THREAD_BODY_MAX_CHARS, WriterThreadIntake } from './writer-thread-intake.ts';

/** Records which side got each body. */
function sides(): { calls: string[]; writer: { appendHeartbeats(topic: string, text: string, c: HeartbeatRequestContext): Promise<AcceptedHeartbeats> }; local: HeartbeatIntake } {
  const calls: string[] = [];
  const answer = (side: string, text: string): Promise<AcceptedHeartbeats> => {
    calls.push(`${side}:${text.length}`);
    return Promise.resolve({ accepted: 1, agentIds: [side] });
  };
  return { calls, writer: { appendHeartbeats: (_topic, text) => answer('writer', text) }, local: { accept: (text) => answer('local', text) } };
}

describe('WriterThreadIntake', () => {
  const context = { tenant: 't', receivedAt: '2026-01-01T00:00:00.000Z' };

  it('hands bodies up to the limit to the writer thread and parses longer ones on this thread', async () => {
    const { calls, writer, local } = sides();
    const intake = new WriterThreadIntake(writer, 'agent-events', local);
    await intake.accept('x'.repeat(200), context);
    await intake.accept('x'.repeat(WRITER_THREAD_BODY_MAX_CHARS), context);
    await intake.accept('x'.repeat(WRITER_THREAD_BODY_MAX_CHARS + 1), context);
    expect(calls).toEqual([`writer:200`, `writer:${WRITER_THREAD_BODY_MAX_CHARS}`, `local:${WRITER_THREAD_BODY_MAX_CHARS + 1}`]);
  });

  it('takes its limit as an option (0: everything on this thread)', async () => {
    const { calls, writer, local } = sides();
    await new WriterThreadIntake(writer, 'agent-events', local, 0).accept('{}', context);
    expect(calls).toEqual(['local:2']);
  });
});
