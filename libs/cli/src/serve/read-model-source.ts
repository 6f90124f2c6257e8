import type { TopicNames } from '@vigil/contracts';
import type { EventLog } from '@vigil/log';
import type { SqliteReadModel } from '@vigil/store';
import type { Logger } from 'pino';
import { startLocalProjection } from './local-projection.ts';
import { openReadModel } from './open-adapters.ts';
import type { ShutdownSteps } from './running-service.ts';
import type { ServeConfig } from './serve-config.ts';

/**
 * The read model ingest and query answer from: the projector's file (`VIGIL_READ_MODEL`), or with
 * `VIGIL_QUERY_PROJECTION=1` the same kind of file folded by this replica itself. Its closing is added to `steps`.
 */
export async function openReadModelSource(config: ServeConfig, log: EventLog, topics: TopicNames, logger: Logger, steps: ShutdownSteps): Promise<SqliteReadModel> {
  const readModel = openReadModel(config.readModel!, logger);
  steps.add(() => readModel.close());
  if (config.ownProjection) {
    const projection = await startLocalProjection(log, topics, readModel, config.topicPrefix, logger);
    steps.add(() => projection.stop());
  }
  return readModel;
}
