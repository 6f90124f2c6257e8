import { describe, expect, it } from 'vitest';
import { agentEventOfRecord, decodeAgentEvent } from './decode.ts';
import { InvalidEventError } from './errors.ts';

const text = JSON.stringify({
  version: 1,
  id: 'e-1',
  time: '2026-12-03T00:00:00.000Z',
  tenant: 'acme',
  agentId: 'a1',
  type: 'heartbeat',
  data: { instanceId: 'default', intervalSeconds: 30, sentAt: '2026-12-03T00:00:00.000Z', receivedAt: '2026-12-03T00:00:00.000Z' },
});

describe('agentEventOfRecord', () => {
  it("takes the producer's decoded event as it is, without reading the text", () => {
    const built = decodeAgentEvent(text);
    // The text is not even JSON: only `decoded` is looked at.
    expect(agentEventOfRecord({ value: 'not json', decoded: built })).toBe(built);
  });

  it('decodes and validates the text of a record without one', () => {
    expect(agentEventOfRecord({ value: text })).toEqual(JSON.parse(text));
    expect(() => agentEventOfRecord({ value: '{"type":"heartbeat"}' })).toThrow(InvalidEventError);
    expect(() => agentEventOfRecord({ value: 'not json', decoded: undefined })).toThrow(InvalidEventError);
  });
});
