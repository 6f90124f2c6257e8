import { buildQueryApp } from '@vigil/query';
import type { Logger } from 'pino';
import { startApiService } from './api-service.ts';
import type { RunningService } from './running-service.ts';
import type { ServeConfig } from './serve-config.ts';
import { waitForTopics } from './wait-for-topics.ts';

/** `vigil serve query`: the read API, transition stream and kill/resume endpoints (which append to the log). */
export function startQuery(config: ServeConfig, logger: Logger, signal?: AbortSignal): Promise<RunningService | null> {
  return startApiService(
    {
      name: 'query',
      prepare: (log, topics) => waitForTopics(log, [topics.agentEvents, topics.statusTransitions], logger, signal),
      build: (deps) => buildQueryApp(deps, config.query!),
    },
    config,
    logger,
  );
}
