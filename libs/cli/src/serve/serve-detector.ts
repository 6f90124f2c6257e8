import type { MetricsRegistry } from '@vigil/http';
import type { Logger } from 'pino';
import { registerConsumerLag, registerDetectorGauges } from '../platform/service-gauges.ts';
import { createDetector, platformConsumers } from '../platform/services.ts';
import { startConsumerService } from './consumer-service.ts';
import type { RunningService } from './running-service.ts';
import type { ServeConfig } from './serve-config.ts';

/** `vigil serve detector`: the detector service (one log transaction per batch) with /healthz, /readyz and /metrics. */
export function startDetector(config: ServeConfig, logger: Logger, signal?: AbortSignal): Promise<RunningService | null> {
  return startConsumerService(
    {
      name: 'detector',
      create: (log, topics) => {
        const detector = createDetector(log, topics, logger, config.topicPrefix, config.detector, config.batchSize ?? undefined);
        const gauges = (metrics: MetricsRegistry): void => {
          registerDetectorGauges(metrics, detector);
          registerConsumerLag(metrics, log, platformConsumers(config.topicPrefix, topics).detector);
        };
        return { service: detector, checks: [], gauges };
      },
    },
    config,
    logger,
    signal,
  );
}
