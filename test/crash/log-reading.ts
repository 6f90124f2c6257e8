import type { EventLog, LogRecord } from '@vigil/log';

/** Every record of a topic, partition by partition, each in offset order. */
export async function readTopic(log: EventLog, topic: string): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  const partitions = await log.partitionCount(topic);
  for (let p = 0; p < partitions; p++) {
    const end = await log.endOffset(topic, p);
    for (let offset = 0; offset < end; ) {
      const page = await log.read(topic, p, offset, 20_000);
      if (page.length === 0) break;
      all.push(...page);
      offset = page[page.length - 1]!.offset + 1;
    }
  }
  return all;
}

/** How far a consumer group has committed on a topic, summed over partitions, and the topic's total end. */
export async function groupProgress(log: EventLog, groupId: string, topic: string): Promise<{ committed: number; end: number }> {
  let committed = 0;
  let end = 0;
  const partitions = await log.partitionCount(topic);
  for (let p = 0; p < partitions; p++) {
    committed += (await log.committedOffset(groupId, topic, p)) ?? 0;
    end += await log.endOffset(topic, p);
  }
  return { committed, end };
}
