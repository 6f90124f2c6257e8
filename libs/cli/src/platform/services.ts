import type { TopicNames } from '@vigil/contracts';
import { DetectorService, defaultDetectorServiceOptions, type DetectorServiceOptions } from '@vigil/detector';
import type { EventLog } from '@vigil/log';
import { ProjectorService, type ProjectorDeps, type ProjectorOptions } from '@vigil/projector';
import type { Logger } from 'pino';
import { withConsumerBatchSize } from './batch-sized-log.ts';
import type { ConsumedTopic } from './service-gauges.ts';

/** Detector settings shared by `vigil up` and `vigil serve detector` (undefined thresholds fall back to the interval). */
export interface DetectorSettings {
  readonly windowMs: number;
  readonly degradedAfterMs: number | undefined;
  readonly unreachableAfterMs: number | undefined;
  readonly stalledAfterMs: number | undefined;
}

/** Events kept per agent stream in the event store. */
export const STREAM_MAX_COUNT = 10_000;

/**
 * The detector service's options for a topic prefix and the operator's thresholds; the same in both modes.
 * `maxBatchSize` (records per transaction, `VIGIL_BATCH_SIZE`) replaces the service's default when given.
 */
export function detectorOptionsFor(topicPrefix: string, s: DetectorSettings, maxBatchSize?: number): DetectorServiceOptions {
  const options = defaultDetectorServiceOptions(topicPrefix, {
    windowMs: s.windowMs,
    thresholds: {
      ...(s.degradedAfterMs === undefined ? {} : { degradedAfterMs: s.degradedAfterMs }),
      ...(s.unreachableAfterMs === undefined ? {} : { unreachableAfterMs: s.unreachableAfterMs }),
      ...(s.stalledAfterMs === undefined ? {} : { stalledAfterMs: s.stalledAfterMs }),
    },
  });
  return maxBatchSize === undefined ? options : { ...options, maxBatchSize };
}

/** The projector's options: one consumer group per topic prefix, so the event store and read model are written once. */
export function projectorOptionsFor(topicPrefix: string): ProjectorOptions {
  return { groupPrefix: `${topicPrefix}projector`, streamMaxCount: STREAM_MAX_COUNT };
}

/** The consumer groups of the detector and the projector and the topics they read, for consumer lag on /metrics. */
export function platformConsumers(topicPrefix: string, topics: TopicNames): { detector: ConsumedTopic[]; projector: ConsumedTopic[] } {
  const { groupPrefix } = projectorOptionsFor(topicPrefix);
  return {
    detector: [{ group: defaultDetectorServiceOptions(topicPrefix, {}).groupId, topic: topics.agentEvents }],
    projector: [
      { group: `${groupPrefix}-events`, topic: topics.agentEvents },
      { group: `${groupPrefix}-transitions`, topic: topics.statusTransitions },
    ],
  };
}

/** The platform's detector, logging under `module: detector`; the same in embedded and distributed mode. */
export function createDetector(log: EventLog, topics: TopicNames, logger: Logger, topicPrefix: string, settings: DetectorSettings, maxBatchSize?: number): DetectorService {
  return new DetectorService({ log, topics, logger: logger.child({ module: 'detector' }) }, detectorOptionsFor(topicPrefix, settings, maxBatchSize));
}

/**
 * The platform's projector (event store and read model), logging under `module: projector`. `maxBatchSize` (records
 * per read-model transaction, `VIGIL_BATCH_SIZE`) replaces the consumers' default when given.
 */
export function createProjector(deps: Omit<ProjectorDeps, 'logger'>, logger: Logger, topicPrefix: string, maxBatchSize?: number): ProjectorService {
  const log = maxBatchSize === undefined ? deps.log : withConsumerBatchSize(deps.log, maxBatchSize);
  return new ProjectorService({ ...deps, log, logger: logger.child({ module: 'projector' }) }, projectorOptionsFor(topicPrefix));
}
