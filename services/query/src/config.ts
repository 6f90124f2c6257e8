import { ByteSizeInput, DurationInput, describeZodError } from '@vigil/http';
import { z } from 'zod';
import { QueryConfigError } from './errors.ts';

/** The query service's settings, validated once at start and frozen. */
export interface QueryConfig {
  /** Largest body of the control endpoints. */
  readonly bodyLimitBytes: number;
  /** How often the shared transition feed asks the read model for transitions it was not signalled (one query for all streams; the fallback when another process writes the read model). */
  readonly ssePollIntervalMs: number;
  /** How often an idle transition stream sends a `: keepalive` comment (proxies close silent connections). */
  readonly sseKeepaliveMs: number;
  /** Most concurrent transition streams per process. */
  readonly sseMaxClients: number;
  /** `Retry-After` of a 503 (and of load shedding). */
  readonly retryAfterSeconds: number;
  /** Requests per second each key may make to the writing routes (kill, resume, thresholds, keys, ...); 0: no limit. */
  readonly controlRateLimitPerSecond: number;
  /** Mean event-loop delay beyond which requests are shed with 503 (`@fastify/under-pressure`); 0: never shed. */
  readonly maxEventLoopDelayMs: number;
}

/** Settings as flags or code give them; every field optional. */
export interface QueryConfigInput {
  readonly bodyLimit?: string | number;
  readonly ssePollInterval?: string | number;
  readonly sseKeepalive?: string | number;
  readonly sseMaxClients?: string | number;
  readonly retryAfter?: string | number;
  readonly controlRateLimit?: string | number;
  readonly maxEventLoopDelay?: string | number;
}

/**
 * Defaults: 64 KiB bodies, feed fallback poll every 500 ms, keepalive every 15 s, 1000 streams, retry after 1 s, 20 writes per second
 * per key (operators act by hand or by script, not by the thousand), load shed when the event loop lags by 1 s.
 */
export const DEFAULT_QUERY_CONFIG: QueryConfig = Object.freeze({
  bodyLimitBytes: 64 * 1024,
  ssePollIntervalMs: 500,
  sseKeepaliveMs: 15_000,
  sseMaxClients: 1000,
  retryAfterSeconds: 1,
  controlRateLimitPerSecond: 20,
  maxEventLoopDelayMs: 1000,
});

/** Environment variables read by `queryConfigFromEnv`, by setting. */
export const QUERY_ENV: Readonly<Record<keyof QueryConfigInput, string>> = Object.freeze({
  bodyLimit: 'VIGIL_QUERY_BODY_LIMIT',
  ssePollInterval: 'VIGIL_SSE_POLL_INTERVAL',
  sseKeepalive: 'VIGIL_SSE_KEEPALIVE',
  sseMaxClients: 'VIGIL_SSE_MAX_CLIENTS',
  retryAfter: 'VIGIL_RETRY_AFTER',
  controlRateLimit: 'VIGIL_RATE_LIMIT_CONTROL',
  maxEventLoopDelay: 'VIGIL_MAX_EVENT_LOOP_DELAY',
});

const WholeNumber = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)], { error: 'must be a whole number' });

const QueryConfigSchema = z
  .strictObject({
    bodyLimit: ByteSizeInput.pipe(z.number().int().min(1024, 'must be at least 1kb').max(16 * 1024 * 1024, 'must be at most 16mb')).optional(),
    ssePollInterval: DurationInput.pipe(z.number().int().min(10, 'must be at least 10ms').max(60_000, 'must be at most 60s')).optional(),
    sseKeepalive: DurationInput.pipe(z.number().int().min(10, 'must be at least 10ms').max(300_000, 'must be at most 5m')).optional(),
    sseMaxClients: WholeNumber.pipe(z.number().int().min(1).max(100_000)).optional(),
    retryAfter: DurationInput.pipe(z.number().min(1000, 'must be at least 1s').max(3_600_000, 'must be at most 1h')).optional(),
    controlRateLimit: WholeNumber.pipe(z.number().int().min(0).max(1_000_000, 'must be at most 1000000 (0 turns the limit off)')).optional(),
    maxEventLoopDelay: DurationInput.pipe(z.number().int().min(0).max(60_000, 'must be at most 60s (0 turns load shedding off)')).optional(),
  })
  .superRefine((c, ctx) => {
    const poll = c.ssePollInterval ?? DEFAULT_QUERY_CONFIG.ssePollIntervalMs;
    const keepalive = c.sseKeepalive ?? DEFAULT_QUERY_CONFIG.sseKeepaliveMs;
    if (keepalive <= poll) {
      ctx.addIssue({
        code: 'custom',
        path: ['sseKeepalive'],
        message: `sseKeepalive (${keepalive} ms) must be longer than ssePollInterval (${poll} ms); raise sseKeepalive or lower ssePollInterval`,
      });
    }
  });

/** Validates query settings (unknown ones rejected), applies defaults and freezes; throws QueryConfigError naming the setting. */
export function queryConfig(input: QueryConfigInput = {}): QueryConfig {
  const parsed = QueryConfigSchema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw new QueryConfigError(`invalid query config: ${message}`, field, parsed.error);
  }
  const c = parsed.data;
  return Object.freeze({
    bodyLimitBytes: c.bodyLimit ?? DEFAULT_QUERY_CONFIG.bodyLimitBytes,
    ssePollIntervalMs: c.ssePollInterval ?? DEFAULT_QUERY_CONFIG.ssePollIntervalMs,
    sseKeepaliveMs: c.sseKeepalive ?? DEFAULT_QUERY_CONFIG.sseKeepaliveMs,
    sseMaxClients: c.sseMaxClients ?? DEFAULT_QUERY_CONFIG.sseMaxClients,
    retryAfterSeconds: c.retryAfter === undefined ? DEFAULT_QUERY_CONFIG.retryAfterSeconds : Math.ceil(c.retryAfter / 1000),
    controlRateLimitPerSecond: c.controlRateLimit ?? DEFAULT_QUERY_CONFIG.controlRateLimitPerSecond,
    maxEventLoopDelayMs: c.maxEventLoopDelay ?? DEFAULT_QUERY_CONFIG.maxEventLoopDelayMs,
  });
}

/** Reads the settings from `VIGIL_*` environment variables (see QUERY_ENV); the error names the variable. */
export function queryConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): QueryConfig {
  const input: Record<string, string> = {};
  for (const [key, name] of Object.entries(QUERY_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') input[key] = value;
  }
  try {
    return queryConfig(input);
  } catch (err) {
    if (err instanceof QueryConfigError) {
      const field = String(err.details['field'] ?? '');
      const name = QUERY_ENV[field as keyof QueryConfigInput];
      if (name !== undefined) throw new QueryConfigError(`${err.message} (from ${name})`, field, err);
    }
    throw err;
  }
}
