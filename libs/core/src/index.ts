export { LatencySketch, SKETCH_RELATIVE_ACCURACY } from './latency-sketch.ts';
export { parseIsoMs, formatIsoMs } from './iso-time.ts';
export { contentId } from './content-id.ts';
export { DeadlineQueue } from './deadline-queue.ts';
export { detectorConfig, DEFAULT_DETECTOR_CONFIG, INTERVAL_MULTIPLIERS, type DetectorConfig, type PlatformThresholds } from './detector-config.ts';
export { resolveThresholds, applyOverride, type ResolvedThresholds, type ThresholdOverrides } from './thresholds.ts';
export { AgentState, NEVER } from './agent-state.ts';
export { MetricAccumulator } from './metric-accumulator.ts';
export { Detector, formatDuration, type DetectorStats } from './detector.ts';
export {
  snapshotAgent,
  snapshotMeta,
  snapshotDetector,
  restoreAgentState,
  restoreDetector,
  type AgentSnapshot,
  type DetectorMetaSnapshot,
  type DetectorSnapshot,
  type MetricAccumulatorSnapshot,
} from './detector-snapshot.ts';
export { toReplayEvent } from './replay-input.ts';
export { replay, eventTimeOf, type ReplayOptions } from './replay.ts';
export { parseDuration } from './duration.ts';
export { replayJsonl, type ReplayJsonlOptions } from './replay-jsonl.ts';
export { AgentIndex } from './agent-index.ts';
