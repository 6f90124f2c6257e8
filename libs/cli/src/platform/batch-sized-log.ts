import type { ConsumerOptions, EventLog, LogConsumer } from '@vigil/log';

/**
 * The log with `maxBatchSize` as the default batch of every consumer created through it. The projector's options
 * have no batch size of their own (it creates its consumers itself), so `VIGIL_BATCH_SIZE` reaches them this way;
 * a consumer that asks for a size keeps it.
 */
export function withConsumerBatchSize(log: EventLog, maxBatchSize: number): EventLog {
  return {
    ensureTopic: (topic, options) => log.ensureTopic(topic, options),
    partitionCount: (topic) => log.partitionCount(topic),
    append: (topic, records) => log.append(topic, records),
    consumer: (options: ConsumerOptions): LogConsumer => log.consumer({ ...options, maxBatchSize: options.maxBatchSize ?? maxBatchSize }),
    transaction: (transactionalId, work) => log.transaction(transactionalId, work),
    committedOffset: (groupId, topic, partition) => log.committedOffset(groupId, topic, partition),
    read: (topic, partition, fromOffset, limit) => log.read(topic, partition, fromOffset, limit),
    endOffset: (topic, partition) => log.endOffset(topic, partition),
    isReady: () => log.isReady(),
    close: () => log.close(),
  };
}
