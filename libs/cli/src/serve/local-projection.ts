import { randomUUID } from 'node:crypto';
import type { TopicNames } from '@vigil/contracts';
import type { EventLog } from '@vigil/log';
import { ProjectorService } from '@vigil/projector';
import type { ReadModel } from '@vigil/store';
import type { Logger } from 'pino';
import { STREAM_MAX_COUNT } from '../platform/services.ts';

/**
 * The read model of one ingest or query replica, folded by the replica itself from both topics
 * (`VIGIL_QUERY_PROJECTION=1`, Kafka mode): no shared file between machines. Each replica needs every partition, so
 * each start takes a consumer group of its own, reading from the beginning of the retained topics; the read model's
 * per-partition checkpoints make what the file already holds a no-op. (The groups left behind expire with Kafka's
 * `offsets.retention.minutes`.)
 */
export async function startLocalProjection(log: EventLog, topics: TopicNames, readModel: ReadModel, topicPrefix: string, logger: Logger): Promise<ProjectorService> {
  const projection = new ProjectorService(
    { log, topics, readModel, logger: logger.child({ module: 'local-projection' }) },
    { groupPrefix: `${topicPrefix}view-${randomUUID()}`, streamMaxCount: STREAM_MAX_COUNT },
  );
  await projection.start();
  return projection;
}
