import type { ConsumerOptions, EmbeddedLog, EventLog, LogConsumer, LogRecord, LogTransaction, ProduceRecord, RecordPosition, TopicOptions } from '@vigil/log';
import type { WriterThread } from './writer-thread.ts';

/**
 * The HTTP thread's log in embedded mode: appends go to the writer thread (the file's one writer, which also runs
 * the consumers that fold them), so a request never waits for SQLite's write lock; reads, and the few consumers this
 * thread runs (the API-key registry, which never commits), use a reading `EmbeddedLog` on the same file.
 */
export class WriterThreadLog implements EventLog {
  constructor(
    private readonly reader: EmbeddedLog,
    private readonly writer: WriterThread,
  ) {}

  /** Appends through the writer thread; resolves once committed there. */
  append(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> {
    return this.writer.append(topic, records);
  }

  /** Creates a topic on the reader (a rare write, before or beside the writer's). */
  ensureTopic(topic: string, options: TopicOptions): Promise<void> {
    return this.reader.ensureTopic(topic, options);
  }

  partitionCount(topic: string): Promise<number> {
    return this.reader.partitionCount(topic);
  }

  consumer(options: ConsumerOptions): LogConsumer {
    return this.reader.consumer(options);
  }

  transaction(transactionalId: string, work: (tx: LogTransaction) => void | Promise<void>): Promise<void> {
    return this.reader.transaction(transactionalId, work);
  }

  committedOffset(groupId: string, topic: string, partition: number): Promise<number | null> {
    return this.reader.committedOffset(groupId, topic, partition);
  }

  read(topic: string, partition: number, fromOffset: number, limit: number): Promise<LogRecord[]> {
    return this.reader.read(topic, partition, fromOffset, limit);
  }

  endOffset(topic: string, partition: number): Promise<number> {
    return this.reader.endOffset(topic, partition);
  }

  isReady(): Promise<boolean> {
    return this.reader.isReady();
  }

  /** Closes the reader; the writer thread is stopped by its owner (the embedded platform), after this thread's writers. */
  close(): Promise<void> {
    return this.reader.close();
  }
}
