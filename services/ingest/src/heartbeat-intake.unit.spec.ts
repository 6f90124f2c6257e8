import type { ProduceRecord, RecordPosition } from '@vigil/log';
import { describe, expect, it } from 'vitest';
import { LocalHeartbeatIntake } from './heartbeat-intake.ts';

/** A log that records what is appended to it (the intake's only port). */
function recordingLog(): { appends: { topic: string; records: readonly ProduceRecord[] }[]; append(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> } {
  const appends: { topic: string; records: readonly ProduceRecord[] }[] = [];
  return {
    appends,
    append: (topic, records) => {
      appends.push({ topic, records });
      return Promise.resolve(records.map((_, offset) => ({ partition: 0, offset })));
    },
  };
}

describe('LocalHeartbeatIntake', () => {
  it('appends the beats of one body in one append, and answers how many and which agents', async () => {
    const log = recordingLog();
    const intake = new LocalHeartbeatIntake(log, 'agent-events', () => 'id-1');
    const result = await intake.accept('{"heartbeats": [{"agentId": "a"}, {"agentId": "b"}, {"agentId": "a"}]}', { tenant: 't', receivedAt: '2026-01-01T00:00:00.000Z' });
    expect(result).toEqual({ accepted: 3, agentIds: ['a', 'b'] });
    expect(log.appends).toHaveLength(1);
    expect(log.appends[0]!.topic).toBe('agent-events');
    expect(log.appends[0]!.records.map((r) => r.key)).toEqual(['t/a', 't/b', 't/a']);
  });

  it('appends nothing for a malformed or invalid body', async () => {
    const log = recordingLog();
    const intake = new LocalHeartbeatIntake(log, 'agent-events');
    const context = { tenant: 't', receivedAt: '2026-01-01T00:00:00.000Z' };
    await expect(intake.accept('{"agentId":', context)).rejects.toMatchObject({ code: 'VIGIL_ERR_MALFORMED_JSON', statusCode: 400 });
    await expect(intake.accept('{"heartbeats": [{"agentId": "a"}, {"agentId": ""}]}', context)).rejects.toMatchObject({ code: 'VIGIL_ERR_VALIDATION', details: { field: 'heartbeats.1.agentId' } });
    expect(log.appends).toEqual([]);
  });
});
