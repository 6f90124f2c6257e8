import { HeartbeatInput, HeartbeatRequest, agentKey, type HeartbeatEvent } from '@vigil/contracts';
import { MalformedJsonError, parseInput } from '@vigil/http';
import type { ProduceRecord } from '@vigil/log';
import secureJsonParse from 'secure-json-parse';
import { toHeartbeatEvent } from './heartbeat-event.ts';

const BatchRequest = HeartbeatRequest.options[1];
const MISSING_BODY = 'request body is required: send one heartbeat {"agentId": "..."} or a batch {"heartbeats": [...]}';
// fastify's own defaults: a `__proto__` key or a `constructor.prototype` anywhere in the body is refused.
const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/**
 * The text of a `POST /v1/heartbeats` body sent as JSON, unparsed: the route's content-type parser hands it over as
 * is, so that parsing, validating and building the events can run where there is CPU to spare (embedded mode: the
 * writer thread, see HeartbeatIntake) and every path refuses a bad body with the same error.
 */
export class JsonBodyText {
  constructor(readonly text: string) {}
}

/** What one request's beats are, once built: the events, in body order, for one tenant, at one receive time. */
export interface HeartbeatBatchContext {
  readonly tenant: string;
  /** ISO time the platform received the request: every beat's event time. */
  readonly receivedAt: string;
  readonly newId: () => string;
}

/** Parses a JSON body as fastify would (same parser, same poisoning checks); MalformedJsonError otherwise. */
export function parseJsonText(text: string): unknown {
  if (text.length === 0) throw MalformedJsonError.empty();
  try {
    return secureJsonParse.parse(text, undefined, PARSE_OPTIONS);
  } catch (err) {
    throw MalformedJsonError.invalid(err);
  }
}

/**
 * Validates a posted body (one beat or `{"heartbeats": [...]}`) and builds its events. Every beat is validated before
 * any event is built, so a batch is accepted whole or refused whole; a ValidationError names the field, with the
 * item's index in a batch. The events are valid by construction (heartbeat-event.unit.spec.ts).
 */
export function heartbeatEventsOf(body: unknown, context: HeartbeatBatchContext): HeartbeatEvent[] {
  const inputs =
    body !== null && typeof body === 'object' && !Array.isArray(body) && 'heartbeats' in body
      ? parseInput(BatchRequest, body).heartbeats
      : [parseInput(HeartbeatInput, body, { whenMissing: MISSING_BODY })];
  const { tenant, receivedAt, newId } = context;
  return inputs.map((input) => toHeartbeatEvent(input, { tenant, id: newId(), receivedAt }));
}

/**
 * The log records of a request's events: each keyed by its agent, the event's JSON as value; with `withDecoded`, the
 * event itself as each record's `decoded` too (for consumers in this process: see `agentEventOfRecord`).
 */
export function heartbeatRecordsOf(events: readonly HeartbeatEvent[], withDecoded = false): ProduceRecord[] {
  return events.map((e) => {
    const key = agentKey(e.tenant, e.agentId);
    const value = JSON.stringify(e);
    return withDecoded ? { key, value, decoded: e } : { key, value };
  });
}

/** The distinct agents of a request's events, in order of first appearance. */
export function agentIdsOf(events: readonly HeartbeatEvent[]): string[] {
  if (events.length === 1) return [events[0]!.agentId];
  return [...new Set(events.map((e) => e.agentId))];
}
