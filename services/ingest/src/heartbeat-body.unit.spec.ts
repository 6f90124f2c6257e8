import { MalformedJsonError, ValidationError } from '@vigil/http';
import { describe, expect, it } from 'vitest';
import { agentIdsOf, heartbeatEventsOf, heartbeatRecordsOf, parseJsonText } from './heartbeat-body.ts';

const context = { tenant: 'acme', receivedAt: '2026-01-01T00:00:05.000Z', newId: (() => { let n = 0; return () => `id-${++n}`; })() };

/** The error `work` throws (fails the test if it throws none). */
function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('parseJsonText', () => {
  it('parses JSON as fastify does', () => {
    expect(parseJsonText('{"agentId": "a1", "labels": {"k": "v"}}')).toEqual({ agentId: 'a1', labels: { k: 'v' } });
    expect(parseJsonText('[1, 2]')).toEqual([1, 2]);
  });

  it('refuses malformed and empty text with the route\'s MalformedJsonError messages', () => {
    const malformed = thrown(() => parseJsonText('{"agentId": "a1",'));
    expect(malformed).toBeInstanceOf(MalformedJsonError);
    expect((malformed as MalformedJsonError).message).toBe(MalformedJsonError.invalid().message);
    const empty = thrown(() => parseJsonText(''));
    expect((empty as MalformedJsonError).code).toBe('VIGIL_ERR_MALFORMED_JSON');
    expect((empty as MalformedJsonError).message).toBe(MalformedJsonError.empty().message);
  });

  it('refuses prototype poisoning anywhere in the body, as fastify\'s parser does', () => {
    for (const text of ['{"__proto__": {"admin": true}}', '{"agentId": "a", "labels": {"__proto__": {"x": "y"}}}', '{"constructor": {"prototype": {"admin": true}}}']) {
      expect(thrown(() => parseJsonText(text)), text).toBeInstanceOf(MalformedJsonError);
    }
  });
});

describe('heartbeatEventsOf', () => {
  it('builds one event per beat, single or batch, each with the request\'s tenant, receive time and an id of its own', () => {
    const [single] = heartbeatEventsOf({ agentId: 'a1', seq: 4 }, context);
    expect(single).toMatchObject({ type: 'heartbeat', tenant: 'acme', agentId: 'a1', time: context.receivedAt, data: { seq: 4, receivedAt: context.receivedAt } });
    const batch = heartbeatEventsOf({ heartbeats: [{ agentId: 'b1' }, { agentId: 'b2' }, { agentId: 'b1' }] }, context);
    expect(batch.map((e) => e.agentId)).toEqual(['b1', 'b2', 'b1']);
    expect(new Set([single!.id, ...batch.map((e) => e.id)]).size).toBe(4);
    expect(agentIdsOf(batch)).toEqual(['b1', 'b2']);
    expect(heartbeatRecordsOf(batch).map((r) => r.key)).toEqual(['acme/b1', 'acme/b2', 'acme/b1']);
  });

  it('refuses the whole batch when one beat is invalid, naming its index and field', () => {
    const err = thrown(() => heartbeatEventsOf({ heartbeats: [{ agentId: 'ok' }, { agentId: 'bad', seq: -1 }] }, context));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details).toEqual({ field: 'heartbeats.1.seq' });
  });

  it('says what to send when there is no body, and names a wrong-typed one', () => {
    expect((thrown(() => heartbeatEventsOf(undefined, context)) as ValidationError).message).toMatch(/request body is required/);
    expect(thrown(() => heartbeatEventsOf('{"agentId": "a1"}', context))).toBeInstanceOf(ValidationError);
  });
});
