import type { Logger } from 'pino';
import type { RunningService } from './running-service.ts';
import type { ServeConfig } from './serve-config.ts';
import { startDetector } from './serve-detector.ts';
import { startIngest } from './serve-ingest.ts';
import { startProjector } from './serve-projector.ts';
import { startNotifier } from './serve-notifier.ts';
import { startQuery } from './serve-query.ts';

/** Starts the service the config names; null when `signal` aborted while it waited for the topics. */
export function startService(config: ServeConfig, logger: Logger, signal?: AbortSignal): Promise<RunningService | null> {
  switch (config.service) {
    case 'ingest':
      return startIngest(config, logger);
    case 'detector':
      return startDetector(config, logger, signal);
    case 'projector':
      return startProjector(config, logger, signal);
    case 'query':
      return startQuery(config, logger, signal);
    case 'notifier':
      return startNotifier(config, logger, signal);
  }
}
