import type { AcceptedHeartbeats, HeartbeatIntake, HeartbeatRequestContext } from '@vigil/ingest';
import type { WriterThread } from './writer-thread.ts';

/**
 * Longest heartbeat body (characters of JSON) parsed on the writer thread; longer ones, batches, are parsed on the
 * HTTP thread. Under single beats the HTTP thread is the bottleneck (its fixed cost per request, with parsing,
 * validating and building the event, was about twice the writer's per beat), so the writer takes that work; under
 * batches the writer is (it folds every beat), so the HTTP thread keeps it. A beat is about 200 characters; one with
 * metrics or labels a few thousand.
 */
export const WRITER_THREAD_BODY_MAX_CHARS = 8192;

/** Embedded mode's heartbeat intake: small bodies go to the writer thread whole, larger ones to `local`. */
export class WriterThreadIntake implements HeartbeatIntake {
  constructor(
    private readonly writer: Pick<WriterThread, 'appendHeartbeats'>,
    private readonly topic: string,
    /** Parses on this thread and appends through the writer thread (a LocalHeartbeatIntake on the WriterThreadLog). */
    private readonly local: HeartbeatIntake,
    private readonly maxChars: number = WRITER_THREAD_BODY_MAX_CHARS,
  ) {}

  /** Parses, validates and appends `text`, on the writer thread when it is small. */
  accept(text: string, context: HeartbeatRequestContext): Promise<AcceptedHeartbeats> {
    return text.length <= this.maxChars ? this.writer.appendHeartbeats(this.topic, text, context) : this.local.accept(text, context);
  }
}
