import { VigilError } from '@vigil/contracts';

/** Error codes of the query service (the HTTP edge's own codes are in `@vigil/http`). */
export const QUERY_ERROR_CODES = [
  'VIGIL_ERR_AGENT_NOT_FOUND',
  'VIGIL_ERR_AGENT_NOT_KILLED',
  'VIGIL_ERR_TOO_MANY_STREAMS',
  'VIGIL_ERR_STREAM_CURSOR_PRUNED',
  'VIGIL_ERR_QUERY_INVALID_CONFIG',
  'VIGIL_ERR_HISTORY_UNAVAILABLE',
] as const;
/** A code of the query service. */
export type QueryErrorCode = (typeof QUERY_ERROR_CODES)[number];

/** The read model knows no agent of this id in the caller's tenant (it may not have sent its first beat yet). */
export class AgentNotFoundError extends VigilError {
  constructor(agentId: string) {
    super('VIGIL_ERR_AGENT_NOT_FOUND', `no agent ${JSON.stringify(agentId)} in this tenant; it appears after its first heartbeat`, {
      statusCode: 404,
      details: { field: 'id' },
    });
    this.name = 'AgentNotFoundError';
  }
}

/** Resume of an agent that is not killed: nothing to resume. */
export class AgentNotKilledError extends VigilError {
  constructor(agentId: string, status: string) {
    super('VIGIL_ERR_AGENT_NOT_KILLED', `agent ${JSON.stringify(agentId)} is ${status}, not killed; only a killed agent can be resumed`, {
      statusCode: 409,
    });
    this.name = 'AgentNotKilledError';
  }
}

/** The process already serves its maximum of transition streams; the client retries later. */
export class TooManyStreamsError extends VigilError {
  constructor(max: number, retryAfterSeconds: number) {
    super('VIGIL_ERR_TOO_MANY_STREAMS', `this server already serves ${max} transition streams; retry later or raise sseMaxClients`, {
      statusCode: 503,
      retriable: true,
      details: { retryAfterSeconds },
    });
    this.name = 'TooManyStreamsError';
  }
}

/**
 * `Last-Event-ID` names a transition the read model no longer holds (pruned by retention, or never of this tenant):
 * the stream cannot resume without a gap, so the client re-lists the agents and reconnects without the header.
 */
export class StreamCursorPrunedError extends VigilError {
  constructor(lastEventId: string) {
    super('VIGIL_ERR_STREAM_CURSOR_PRUNED', `transition ${JSON.stringify(lastEventId)} is no longer held (pruned, or not of this tenant); re-list the agents, then reconnect without Last-Event-ID`, {
      statusCode: 409,
      details: { field: 'last-event-id' },
    });
    this.name = 'StreamCursorPrunedError';
  }
}

/** The query configuration is wrong; the message names the setting and how to fix it. The process must not start. */
export class QueryConfigError extends VigilError {
  constructor(message: string, field: string, cause?: unknown) {
    super('VIGIL_ERR_QUERY_INVALID_CONFIG', message, { statusCode: 500, retriable: false, details: { field }, cause });
    this.name = 'QueryConfigError';
  }
}

/** History needs the event store, and this query service was started without one (`VIGIL_STORE`). */
export class HistoryUnavailableError extends VigilError {
  constructor() {
    super('VIGIL_ERR_HISTORY_UNAVAILABLE', 'agent history is read from the event store, and this query service has none: set VIGIL_STORE', {
      statusCode: 503,
      retriable: false,
    });
    this.name = 'HistoryUnavailableError';
  }
}
