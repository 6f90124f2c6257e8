import { buildIngestApp } from '@vigil/ingest';
import type { Logger } from 'pino';
import { ensurePlatformTopics } from '../platform/platform-topics.ts';
import { startApiService } from './api-service.ts';
import type { RunningService } from './running-service.ts';
import type { ServeConfig } from './serve-config.ts';

/**
 * `vigil serve ingest`: creates the topics (VIGIL_PARTITIONS), serves `POST /v1/heartbeats` and writes the platform
 * clock (ticks; closing the app stops it). Several ingest replicas may all tick: the detector ignores a tick no later
 * than the last one, so extra clocks cost traffic, not correctness (or set VIGIL_TICKS=false on all but one).
 */
export function startIngest(config: ServeConfig, logger: Logger): Promise<RunningService | null> {
  return startApiService(
    {
      name: 'ingest',
      prepare: async (log, topics) => {
        await ensurePlatformTopics(log, topics, config.partitions);
        return true;
      },
      build: (deps) => buildIngestApp(deps, config.ingest!),
    },
    config,
    logger,
  );
}
