import type { z } from 'zod';
import { AgentEvent } from './agent-event.ts';
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

/** Parses and validates one message of the `agent-events` topic; throws InvalidEventError naming the field. */
export function decodeAgentEvent(text: string): AgentEvent {
  return decodeWith(AgentEvent, text, 'agent event');
}

/** Parses and validates one message of the `status-transitions` topic. */
export function decodeOutputEvent(text: string): DetectorOutputEvent {
  return decodeWith(DetectorOutputEvent, text, 'detector output event');
}
