import { parseDuration } from '@vigil/core';
import { z } from 'zod';

/**
 * A duration setting (`90s`, `2m`, `500ms`) parsed to ms; `label` is how the user wrote it (`--window` for a flag,
 * `VIGIL_WINDOW` for a variable), so the message names what to fix.
 */
export function durationSetting(label: string) {
  return z
    .string()
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (Number.isNaN(ms) || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `${label} must be a duration like 90s, 2m or 500ms (got "${v}")` });
        return z.NEVER;
      }
      return ms;
    })
    .optional();
}

/** The detector settings as parsed, under the keys the caller's schema uses. */
export interface DetectorSettingValues {
  readonly degradedAfterMs: number | undefined;
  readonly unreachableAfterMs: number | undefined;
  readonly windowMs: number | undefined;
}

/** Where each detector setting lives in the caller's schema, and how the user wrote it. */
export interface DetectorSettingNames {
  readonly degradedAfter: { readonly key: string; readonly label: string };
  readonly unreachableAfter: { readonly key: string; readonly label: string };
  readonly window: { readonly key: string; readonly label: string };
}

/**
 * The cross-field rules of the detector settings, shared by `vigil up` (flags) and `vigil serve` (environment):
 * degraded before unreachable, and a window that tiles a minute (metric summaries are per minute).
 */
export function checkDetectorSettings(v: DetectorSettingValues, names: DetectorSettingNames, ctx: z.RefinementCtx): void {
  const d = v.degradedAfterMs;
  const u = v.unreachableAfterMs;
  if (d !== undefined && u !== undefined && d >= u) {
    ctx.addIssue({
      code: 'custom',
      path: [names.degradedAfter.key],
      message: `${names.degradedAfter.label} must be less than ${names.unreachableAfter.label}`,
    });
  }
  const w = v.windowMs;
  if (w !== undefined && (w < 10 || w > 60_000 || 60_000 % w !== 0)) {
    ctx.addIssue({
      code: 'custom',
      path: [names.window.key],
      message: `${names.window.label} must be between 10ms and 60s and divide one minute (e.g. 500ms, 1s, 5s)`,
    });
  }
}

/** Pino levels accepted by `--log-level` and `VIGIL_LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
