import { DurationInput, describeZodError } from '@vigil/http';
import { z } from 'zod';
import { NotifierConfigError } from './errors.ts';

/** Settings of the notifier; identical in `vigil up` and `vigil serve notifier`. */
export interface NotifierConfig {
  /** One attempt's time limit (default 10 s). */
  readonly timeoutMs: number;
  /** Attempts before a delivery is dead-lettered (default 8: about an hour with the default backoff). */
  readonly maxAttempts: number;
  /** Wait before the first retry; doubles per attempt, ±20 % jitter (default 30 s). */
  readonly backoffBaseMs: number;
  /** Longest wait between attempts, Retry-After included (default 1 h). */
  readonly backoffMaxMs: number;
  /** More failing agents of a tenant than this within one grouping window are sent as one notification (default 5). */
  readonly groupThreshold: number;
  /** Grouping window (default 30 s). */
  readonly groupWindowMs: number;
  /** How long a failure waits for others of its tenant before it is sent (default 2 s). */
  readonly groupWaitMs: number;
  /** How often the notifier looks for due deliveries written by other processes (tests, re-sends; default 250 ms). */
  readonly pollIntervalMs: number;
  /** Deliveries in flight at once (default 16). */
  readonly concurrency: number;
  /** Base of the dashboard links in notifications (default the local API, http://127.0.0.1:8080). */
  readonly publicUrl: string;
  /** Private and loopback webhook targets are allowed (VIGIL_WEBHOOK_ALLOW_PRIVATE=1; tests set it). */
  readonly allowPrivate: boolean;
}

/** Defaults of the notifier settings. */
export const DEFAULT_NOTIFIER_CONFIG: NotifierConfig = Object.freeze({
  timeoutMs: 10_000,
  maxAttempts: 8,
  backoffBaseMs: 30_000,
  backoffMaxMs: 3_600_000,
  groupThreshold: 5,
  groupWindowMs: 30_000,
  groupWaitMs: 2_000,
  pollIntervalMs: 250,
  concurrency: 16,
  publicUrl: 'http://127.0.0.1:8080',
  allowPrivate: false,
});

/** The environment variable of each notifier setting. */
export const NOTIFIER_ENV = {
  timeoutMs: 'VIGIL_WEBHOOK_TIMEOUT',
  maxAttempts: 'VIGIL_WEBHOOK_MAX_ATTEMPTS',
  backoffBaseMs: 'VIGIL_WEBHOOK_BACKOFF_BASE',
  backoffMaxMs: 'VIGIL_WEBHOOK_BACKOFF_MAX',
  groupThreshold: 'VIGIL_NOTIFY_GROUP_THRESHOLD',
  groupWindowMs: 'VIGIL_NOTIFY_GROUP_WINDOW',
  groupWaitMs: 'VIGIL_NOTIFY_GROUP_WAIT',
  pollIntervalMs: 'VIGIL_NOTIFY_POLL_INTERVAL',
  concurrency: 'VIGIL_WEBHOOK_CONCURRENCY',
  publicUrl: 'VIGIL_PUBLIC_URL',
  allowPrivate: 'VIGIL_WEBHOOK_ALLOW_PRIVATE',
} as const satisfies Record<keyof NotifierConfig, string>;

const Count = (min: number, max: number) => z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const Duration = (minMs: number) => DurationInput.pipe(z.number().min(minMs, `must be at least ${minMs} ms`));

const NotifierEnv = z.object({
  timeoutMs: Duration(1).optional(),
  maxAttempts: Count(1, 100).optional(),
  backoffBaseMs: Duration(1).optional(),
  backoffMaxMs: Duration(1).optional(),
  groupThreshold: Count(1, 1_000_000).optional(),
  groupWindowMs: Duration(1).optional(),
  groupWaitMs: Duration(0).optional(),
  pollIntervalMs: Duration(10).optional(),
  concurrency: Count(1, 256).optional(),
  publicUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://vigil.example.com' }).optional(),
  allowPrivate: z.enum(['1', '0', 'true', 'false'], { message: 'must be 1 or 0' }).transform((v) => v === '1' || v === 'true').optional(),
});

/**
 * Reads the notifier's settings from the environment (`VIGIL_WEBHOOK_*`, `VIGIL_NOTIFY_*`, `VIGIL_PUBLIC_URL`), strictly,
 * once at start; a wrong value throws NotifierConfigError naming the variable. `publicUrl` defaults to `fallbackUrl`.
 */
export function notifierConfigFromEnv(env: Readonly<Record<string, string | undefined>>, fallbackUrl?: string): NotifierConfig {
  const input: Record<string, string> = {};
  for (const [field, variable] of Object.entries(NOTIFIER_ENV)) {
    const v = env[variable];
    if (v !== undefined && v !== '') input[field] = v;
  }
  const parsed = NotifierEnv.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    const variable = NOTIFIER_ENV[field as keyof NotifierConfig] ?? field;
    throw new NotifierConfigError(variable, message.replace(new RegExp(`^${field}: `), ''));
  }
  const defined = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  const config: NotifierConfig = {
    ...DEFAULT_NOTIFIER_CONFIG,
    ...(fallbackUrl === undefined ? {} : { publicUrl: fallbackUrl }),
    ...defined,
  };
  if (config.backoffBaseMs > config.backoffMaxMs) {
    throw new NotifierConfigError(NOTIFIER_ENV.backoffBaseMs, `must not exceed ${NOTIFIER_ENV.backoffMaxMs} (${config.backoffMaxMs} ms)`);
  }
  return Object.freeze({ ...config, publicUrl: config.publicUrl.replace(/\/+$/, '') });
}
