import { randomUUID } from 'node:crypto';
import { appendHeartbeats, heartbeatEventsOf, parseJsonText, type AcceptedHeartbeats, type HeartbeatIntake, type HeartbeatRequestContext } from '@vigil/ingest';
import type { WriterThread } from './writer-thread.ts';

/**
 * Longest heartbeat body (characters of JSON) parsed on the writer thread; longer ones, batches, are parsed on the
 * HTTP thread. Under single beats the HTTP thread is the bottleneck (its fixed cost per request, with parsing,
 * validating and building the event, was about twice the writer's per beat), so the writer takes that work; under
 * batches the writer is (it folds every beat), so the HTTP thread keeps it. A beat is about 200 characters; one with
 * metrics or labels a few thousand.
 */
export const WRITER_THREAD_BODY_MAX_CHARS = 8192;

/**
 * Embedded mode's heartbeat intake: small bodies go to the writer thread whole; larger ones are parsed, validated and
 * built here, and their records go to the writer thread as heartbeat records (which its consumers need not validate).
 */
export class WriterThreadIntake implements HeartbeatIntake {
  readonly #log: { append: WriterThread['appendHeartbeatRecords'] };

  constructor(
    private readonly writer: Pick<WriterThread, 'appendHeartbeats' | 'appendHeartbeatRecords'>,
    private readonly topic: string,
    private readonly maxChars: number = WRITER_THREAD_BODY_MAX_CHARS,
    private readonly newId: () => string = randomUUID,
  ) {
    this.#log = { append: (topic, records) => writer.appendHeartbeatRecords(topic, records) };
  }

  /** Parses, validates and appends `text`, on the writer thread when it is small; resolves once committed. */
  async accept(text: string, context: HeartbeatRequestContext): Promise<AcceptedHeartbeats> {
    if (text.length <= this.maxChars) return this.writer.appendHeartbeats(this.topic, text, context);
    const events = heartbeatEventsOf(parseJsonText(text), { tenant: context.tenant, receivedAt: context.receivedAt, newId: this.newId });
    return appendHeartbeats(this.#log, this.topic, events);
  }
}
