import { randomUUID } from 'node:crypto';
import type { HeartbeatEvent } from '@vigil/contracts';
import type { EventLog, ProduceRecord } from '@vigil/log';
import { agentIdsOf, heartbeatEventsOf, heartbeatRecordsOf, parseJsonText } from './heartbeat-body.ts';

/** What one request's beats came to once on the log: how many, and their distinct agents (the answer's statuses). */
export interface AcceptedHeartbeats {
  readonly accepted: number;
  readonly agentIds: readonly string[];
}

/** Who sent the beats of a request, and when they arrived. */
export interface HeartbeatRequestContext {
  readonly tenant: string;
  /** ISO receive time: the event time of every beat of the request. */
  readonly receivedAt: string;
}

/**
 * Turns the JSON text of one `POST /v1/heartbeats` body into heartbeat events on the agent-events log, resolving
 * once the log has committed them; a bad body rejects with MalformedJsonError or ValidationError (naming the field)
 * and appends nothing. Where that work runs is the intake's choice: embedded mode hands small bodies to its writer
 * thread, which has CPU to spare under single-beat load while the HTTP thread has none.
 */
export interface HeartbeatIntake {
  accept(text: string, context: HeartbeatRequestContext): Promise<AcceptedHeartbeats>;
}

/** Appends built events (one append, so the batch lands whole; `records`: theirs, if already made) and says what was accepted. */
export async function appendHeartbeats(
  log: Pick<EventLog, 'append'>,
  topic: string,
  events: readonly HeartbeatEvent[],
  records: readonly ProduceRecord[] = heartbeatRecordsOf(events),
): Promise<AcceptedHeartbeats> {
  await log.append(topic, records);
  return { accepted: events.length, agentIds: agentIdsOf(events) };
}

/** The intake that does everything on the calling thread, then appends to `log` (the default, and `vigil serve ingest`'s). */
export class LocalHeartbeatIntake implements HeartbeatIntake {
  constructor(
    private readonly log: Pick<EventLog, 'append'>,
    private readonly topic: string,
    private readonly newId: () => string = randomUUID,
  ) {}

  /** Parses, validates and builds on this thread; resolves once the events are committed. */
  async accept(text: string, { tenant, receivedAt }: HeartbeatRequestContext): Promise<AcceptedHeartbeats> {
    const events = heartbeatEventsOf(parseJsonText(text), { tenant, receivedAt, newId: this.newId });
    return appendHeartbeats(this.log, this.topic, events);
  }
}
