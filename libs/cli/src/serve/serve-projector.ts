import type { Logger } from 'pino';
import { registerConsumerLag, registerProjectorGauges } from '../platform/service-gauges.ts';
import { createProjector, platformConsumers } from '../platform/services.ts';
import { startConsumerService } from './consumer-service.ts';
import { openReadModel, openStore } from './open-adapters.ts';
import type { RunningService } from './running-service.ts';
import type { ServeConfig } from './serve-config.ts';

/** `vigil serve projector`: folds both topics into the event store and the read model; /readyz also asks the store. */
export function startProjector(config: ServeConfig, logger: Logger, signal?: AbortSignal): Promise<RunningService | null> {
  return startConsumerService(
    {
      name: 'projector',
      create: (log, topics, steps) => {
        const store = openStore(config.store!, logger);
        steps.add(() => store.close());
        const readModel = openReadModel(config.readModel!, logger);
        steps.add(() => readModel.close());
        const projector = createProjector({ log, topics, readModel, store }, logger, config.topicPrefix, config.batchSize ?? undefined);
        return {
          service: projector,
          checks: [{ name: 'store', isReady: () => store.isReady() }],
          gauges: (metrics) => {
            registerProjectorGauges(metrics, projector);
            registerConsumerLag(metrics, log, platformConsumers(config.topicPrefix, topics).projector);
          },
        };
      },
    },
    config,
    logger,
    signal,
  );
}
