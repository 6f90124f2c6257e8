import { INTERVAL_MULTIPLIERS, type PlatformThresholds } from './detector-config.ts';

/** Overrides set through the log for a tenant or an agent; `undefined` means not set at that level. */
export interface ThresholdOverrides {
  degradedAfterMs?: number;
  unreachableAfterMs?: number;
  stalledAfterMs?: number;
}

/** The thresholds in force for one agent. */
export interface ResolvedThresholds {
  readonly degradedAfterMs: number;
  readonly unreachableAfterMs: number;
  readonly stalledAfterMs: number;
}

/**
 * Resolves each threshold by precedence: agent override, tenant override, platform setting, then a multiple of the
 * declared interval. If the mix leaves unreachable at or below degraded, unreachable is pushed just past degraded so
 * the two transitions stay ordered (the API rejects such settings when it can see both).
 */
export function resolveThresholds(
  intervalMs: number,
  platform: PlatformThresholds,
  tenant: ThresholdOverrides | undefined,
  agent: ThresholdOverrides | undefined,
): ResolvedThresholds {
  const degradedAfterMs =
    agent?.degradedAfterMs ?? tenant?.degradedAfterMs ?? platform.degradedAfterMs ?? intervalMs * INTERVAL_MULTIPLIERS.degraded;
  let unreachableAfterMs =
    agent?.unreachableAfterMs ?? tenant?.unreachableAfterMs ?? platform.unreachableAfterMs ?? intervalMs * INTERVAL_MULTIPLIERS.unreachable;
  const stalledAfterMs =
    agent?.stalledAfterMs ?? tenant?.stalledAfterMs ?? platform.stalledAfterMs ?? intervalMs * INTERVAL_MULTIPLIERS.stalled;
  if (unreachableAfterMs <= degradedAfterMs) unreachableAfterMs = degradedAfterMs + 1;
  return { degradedAfterMs, unreachableAfterMs, stalledAfterMs };
}

/** Applies a `thresholds-set` payload to existing overrides: numbers set, null clears, absent keeps. */
export function applyOverride(
  current: ThresholdOverrides | undefined,
  change: { degradedAfterMs?: number | null; unreachableAfterMs?: number | null; stalledAfterMs?: number | null },
): ThresholdOverrides | undefined {
  const next: ThresholdOverrides = { ...current };
  for (const key of ['degradedAfterMs', 'unreachableAfterMs', 'stalledAfterMs'] as const) {
    const value = change[key];
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return Object.keys(next).length === 0 ? undefined : next;
}
