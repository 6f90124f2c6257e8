import type { z } from 'zod';
import { AgentEvent } from './agent-event.ts';
import { DecodeMemo } from './decode-memo.ts';
import { InvalidEventError } from './errors.ts';
import { DetectorOutputEvent } from './output-event.ts';

/** Describes the first problem of a zod error as `field: message`, for error bodies and logs. */
export function describeIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: '', message: 'invalid' };
  const field = issue.path.map(String).join('.');
  return { field, message: issue.message };
}

function decodeWith<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidEventError(`${what} is not valid JSON`, {}, err);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    throw new InvalidEventError(`${what} is invalid at "${field}": ${message}`, { field }, parsed.error);
  }
  return parsed.data;
}

// Enough for the consumers of one thread to share what one of them decoded: in `vigil up`'s writer thread they run at
// most 8,192 records behind its appends (flow control), plus a batch.
const MEMO_CAPACITY = 16384;
const agentEvents = new DecodeMemo<AgentEvent>(MEMO_CAPACITY);
const outputEvents = new DecodeMemo<DetectorOutputEvent>(MEMO_CAPACITY);
const parseAgentEvent = (text: string): AgentEvent => decodeWith(AgentEvent, text, 'agent event');
const parseOutputEvent = (text: string): DetectorOutputEvent => decodeWith(DetectorOutputEvent, text, 'detector output event');

/**
 * Parses and validates one message of the `agent-events` topic; throws InvalidEventError naming the field. The result
 * may be shared with another reader of the same text (see DecodeMemo): treat it as read-only.
 */
export function decodeAgentEvent(text: string): AgentEvent {
  return agentEvents.get(text, parseAgentEvent);
}

/** Parses and validates one message of the `status-transitions` topic (read-only result, as decodeAgentEvent's). */
export function decodeOutputEvent(text: string): DetectorOutputEvent {
  return outputEvents.get(text, parseOutputEvent);
}

/**
 * The agent event of a log record: the one its producer built and appended beside its text (`decoded`, which only an
 * embedded log hands back, to consumers in the producer's own process), else `decodeAgentEvent(value)`. Embedded
 * mode's writer thread builds heartbeat events from the posted bodies and reads them back through its detector and
 * projector, which need not parse and validate their own thread's output again, nor look it up by its text. A
 * producer that sets `decoded` vouches that it is what decoding `value` gives (same fields, same order; a field the
 * decoder leaves out may be present as undefined): heartbeat-event.unit.spec.ts holds the heartbeat builder to that.
 */
export function agentEventOfRecord(record: { readonly value: string; readonly decoded?: unknown }): AgentEvent {
  return record.decoded === undefined ? decodeAgentEvent(record.value) : (record.decoded as AgentEvent);
}
