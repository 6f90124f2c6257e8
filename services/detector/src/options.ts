import type { DetectorConfig } from '@vigil/core';

/** Settings of the detector service. */
export interface DetectorServiceOptions {
  /** Consumer group of the detector instances; partitions of `agent-events` are shared among its members. */
  readonly groupId: string;
  /** Topic holding each partition's detector state (compacted changelog), written in the same transaction as output. */
  readonly stateTopic: string;
  /** The detector core's configuration (windows, thresholds, blindness, flapping). */
  readonly detector: Partial<DetectorConfig>;
  /** Largest batch per transaction. */
  readonly maxBatchSize: number;
}

/** Defaults for a topic prefix. */
export function defaultDetectorServiceOptions(prefix: string, detector: Partial<DetectorConfig> = {}): DetectorServiceOptions {
  return { groupId: `${prefix}detector`, stateTopic: `${prefix}detector-state`, detector, maxBatchSize: 500 };
}
