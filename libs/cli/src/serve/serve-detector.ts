import type { Logger } from 'pino';
import { registerDetectorGauges } from '../platform/service-gauges.ts';
import { createDetector } from '../platform/services.ts';
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
        return { service: detector, checks: [], gauges: (metrics) => registerDetectorGauges(metrics, detector) };
      },
    },
    config,
    logger,
    signal,
  );
}
