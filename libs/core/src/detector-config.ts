/** Platform-wide threshold overrides; absent fields fall back to multiples of the agent's declared interval. */
export interface PlatformThresholds {
  readonly degradedAfterMs?: number;
  readonly unreachableAfterMs?: number;
  readonly stalledAfterMs?: number;
}

/** Configuration of the detector core; identical config + identical log = identical output. */
export interface DetectorConfig {
  /** Tumbling window length; windows are aligned to the epoch. Default 1000 ms (the tick). */
  readonly windowMs: number;
  /** Platform-level thresholds (`--degraded-after` …); per-tenant and per-agent overrides come from the log. */
  readonly thresholds: PlatformThresholds;
  /** A gap between ticks longer than this means the platform was blind: nobody is convicted for that silence. */
  readonly blindAfterMs: number;
  /** Length of a metric summary window (one minute). */
  readonly metricWindowMs: number;
  /** More than `flappingRestarts` restarts within `flappingWindowMs` sets the agent's `flapping` flag. */
  readonly flappingRestarts: number;
  readonly flappingWindowMs: number;
  /**
   * Platform default of the retention: an agent `stopped` or `unreachable` for this long is forgotten (tenants may
   * set their own with a `retention-set` event). Default 7 days.
   */
  readonly forgetAfterMs: number;
}

/** Defaults of ARCHITECTURE.md: 1 s windows, thresholds from the interval (3×, 10×, 5×). */
export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = Object.freeze({
  windowMs: 1000,
  thresholds: Object.freeze({}),
  blindAfterMs: 5000,
  metricWindowMs: 60_000,
  flappingRestarts: 3,
  flappingWindowMs: 10 * 60_000,
  forgetAfterMs: 7 * 24 * 3600 * 1000,
});

/** Multipliers of the declared interval that give the default thresholds. */
export const INTERVAL_MULTIPLIERS = Object.freeze({ degraded: 3, unreachable: 10, stalled: 5 });

/** Builds a config from partial settings, checking the cross-field rules with messages that say how to fix them. */
export function detectorConfig(partial: Partial<DetectorConfig> = {}): DetectorConfig {
  const config: DetectorConfig = { ...DEFAULT_DETECTOR_CONFIG, ...partial, thresholds: { ...partial.thresholds } };
  const { degradedAfterMs, unreachableAfterMs } = config.thresholds;
  if (degradedAfterMs !== undefined && unreachableAfterMs !== undefined && degradedAfterMs >= unreachableAfterMs) {
    throw new RangeError(`degradedAfter (${degradedAfterMs} ms) must be less than unreachableAfter (${unreachableAfterMs} ms)`);
  }
  if (!(config.forgetAfterMs > 0)) throw new RangeError('forgetAfter must be a positive duration');
  if (!(config.windowMs > 0)) throw new RangeError('window must be a positive duration');
  if (config.metricWindowMs % config.windowMs !== 0) {
    throw new RangeError(`the metric window (${config.metricWindowMs} ms) must be a multiple of the window (${config.windowMs} ms)`);
  }
  return Object.freeze(config);
}
