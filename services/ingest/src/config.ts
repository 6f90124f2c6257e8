import { ByteSizeInput, DurationInput, describeZodError } from '@vigil/http';
import { z } from 'zod';
import { IngestConfigError } from './errors.ts';

/** The ingest service's settings, validated once at start and frozen. */
export interface IngestConfig {
  /** Largest `POST /v1/heartbeats` body; larger ones get 413. */
  readonly bodyLimitBytes: number;
  /** Whether this process writes the platform clock (tick events). */
  readonly ticksEnabled: boolean;
  /** Period of the tick writer. */
  readonly tickIntervalMs: number;
  /** `Retry-After` of a 503 when the log is unavailable or the process sheds load. */
  readonly retryAfterSeconds: number;
  /** Requests per second each key may make to the ingest routes (429 beyond); 0: no limit. */
  readonly rateLimitPerSecond: number;
  /** Mean event-loop delay beyond which requests are shed with 503 (`@fastify/under-pressure`); 0: never shed. */
  readonly maxEventLoopDelayMs: number;
}

/** Settings as flags or code give them (strings from flags/env, or numbers); every field optional. */
export interface IngestConfigInput {
  readonly bodyLimit?: string | number;
  readonly ticks?: string | boolean;
  readonly tickInterval?: string | number;
  readonly retryAfter?: string | number;
  readonly rateLimit?: string | number;
  readonly maxEventLoopDelay?: string | number;
}

/**
 * Defaults: 1 MiB bodies, a tick every second, retry after 1 s, 50,000 requests per second per key (a safety net
 * against a runaway client, far above what one fleet's key sends and above what one ingest process serves), load
 * shed when the event loop lags by 1 s on average.
 */
export const DEFAULT_INGEST_CONFIG: IngestConfig = Object.freeze({
  bodyLimitBytes: 1024 * 1024,
  ticksEnabled: true,
  tickIntervalMs: 1000,
  retryAfterSeconds: 1,
  rateLimitPerSecond: 50_000,
  maxEventLoopDelayMs: 1000,
});

/** Environment variables read by `ingestConfigFromEnv`, by setting. */
export const INGEST_ENV: Readonly<Record<keyof IngestConfigInput, string>> = Object.freeze({
  bodyLimit: 'VIGIL_INGEST_BODY_LIMIT',
  ticks: 'VIGIL_TICKS',
  tickInterval: 'VIGIL_TICK_INTERVAL',
  retryAfter: 'VIGIL_RETRY_AFTER',
  rateLimit: 'VIGIL_RATE_LIMIT_INGEST',
  maxEventLoopDelay: 'VIGIL_MAX_EVENT_LOOP_DELAY',
});

const Bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

const WholeNumber = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)], { error: 'must be a whole number' });

const IngestConfigSchema = z
  .strictObject({
    bodyLimit: ByteSizeInput.pipe(z.number().int().min(1024, 'must be at least 1kb').max(64 * 1024 * 1024, 'must be at most 64mb')).optional(),
    ticks: Bool.optional(),
    tickInterval: DurationInput.pipe(z.number().int().min(10, 'must be at least 10ms').max(60_000, 'must be at most 60s')).optional(),
    retryAfter: DurationInput.pipe(z.number().min(1000, 'must be at least 1s').max(3_600_000, 'must be at most 1h')).optional(),
    rateLimit: WholeNumber.pipe(z.number().int().min(0).max(10_000_000, 'must be at most 10000000 (0 turns the limit off)')).optional(),
    maxEventLoopDelay: DurationInput.pipe(z.number().int().min(0).max(60_000, 'must be at most 60s (0 turns load shedding off)')).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.ticks === false && c.tickInterval !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['tickInterval'],
        message: 'tickInterval has no effect while ticks are off; remove tickInterval or set ticks=true',
      });
    }
  });

/** Validates ingest settings (unknown ones rejected), applies defaults and freezes; throws IngestConfigError naming the setting. */
export function ingestConfig(input: IngestConfigInput = {}): IngestConfig {
  const parsed = IngestConfigSchema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw new IngestConfigError(`invalid ingest config: ${message}`, field, parsed.error);
  }
  const c = parsed.data;
  return Object.freeze({
    bodyLimitBytes: c.bodyLimit ?? DEFAULT_INGEST_CONFIG.bodyLimitBytes,
    ticksEnabled: c.ticks ?? DEFAULT_INGEST_CONFIG.ticksEnabled,
    tickIntervalMs: c.tickInterval ?? DEFAULT_INGEST_CONFIG.tickIntervalMs,
    retryAfterSeconds: c.retryAfter === undefined ? DEFAULT_INGEST_CONFIG.retryAfterSeconds : Math.ceil(c.retryAfter / 1000),
    rateLimitPerSecond: c.rateLimit ?? DEFAULT_INGEST_CONFIG.rateLimitPerSecond,
    maxEventLoopDelayMs: c.maxEventLoopDelay ?? DEFAULT_INGEST_CONFIG.maxEventLoopDelayMs,
  });
}

/** Reads the settings from `VIGIL_*` environment variables (see INGEST_ENV); the error names the variable. */
export function ingestConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): IngestConfig {
  const input: Record<string, string> = {};
  for (const [key, name] of Object.entries(INGEST_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') input[key] = value;
  }
  try {
    return ingestConfig(input);
  } catch (err) {
    if (err instanceof IngestConfigError) {
      const field = String(err.details['field'] ?? '');
      const name = INGEST_ENV[field as keyof IngestConfigInput];
      if (name !== undefined) throw new IngestConfigError(`${err.message} (from ${name})`, field, err);
    }
    throw err;
  }
}
