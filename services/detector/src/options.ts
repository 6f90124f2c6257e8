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
  /**
   * A partition's changed agents go to the changelog (a snapshot) once this many records were handled since its last
   * snapshot, or once `snapshotIntervalMs` passed, not with every batch: between snapshots each batch commits only its
   * outputs and offset, and a restore replays the records after the snapshot (outputs discarded: they were committed).
   * Bounds both the changelog's write volume (one record per changed agent per snapshot, not per beat) and the replay.
   */
  readonly snapshotEveryRecords: number;
  /** Most time between a partition's snapshots while records arrive (wall clock; only when there is something new). */
  readonly snapshotIntervalMs: number;
}

/** Defaults for a topic prefix. */
export function defaultDetectorServiceOptions(prefix: string, detector: Partial<DetectorConfig> = {}): DetectorServiceOptions {
  return {
    groupId: `${prefix}detector`,
    stateTopic: `${prefix}detector-state`,
    detector,
    maxBatchSize: 500,
    snapshotEveryRecords: 20_000,
    snapshotIntervalMs: 30_000,
  };
}
