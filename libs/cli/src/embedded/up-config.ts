import { ingestConfigFromEnv, IngestConfigError, INGEST_ENV, type IngestConfig } from '@vigil/ingest';
import { queryConfigFromEnv, QueryConfigError, QUERY_ENV, type QueryConfig } from '@vigil/query';
import { notifierConfigFromEnv, NotifierConfigError, NOTIFIER_ENV, type NotifierConfig } from '@vigil/notifier';
import { z } from 'zod';
import { checkDetectorSettings, durationSetting, LOG_LEVELS } from '../platform/detector-settings-schema.ts';
import { UsageError } from '../usage-error.ts';

/** Settings of `vigil up`, from flags and environment, validated once and frozen. */
export interface UpConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** The key for tenant `default`, or null to load/generate one in the data directory. */
  readonly apiKey: string | null;
  readonly degradedAfterMs: number | undefined;
  readonly unreachableAfterMs: number | undefined;
  readonly stalledAfterMs: number | undefined;
  /** Platform default retention: stopped or unreachable agents are forgotten after it (tenants may set their own). */
  readonly forgetAfterMs: number | undefined;
  /** How long the read model keeps transitions, metric minutes and hours (event time). */
  readonly keepTransitionsMs: number | undefined;
  readonly keepMetricMinutesMs: number | undefined;
  readonly keepMetricHoursMs: number | undefined;
  readonly windowMs: number;
  /** Partitions of the embedded log's topics; null: as many as the data directory's log has, else EMBEDDED_PARTITIONS. */
  readonly partitions: number | null;
  readonly topicPrefix: string;
  readonly demo: boolean;
  readonly logLevel: string;
  /** Ingest settings from the environment (VIGIL_INGEST_BODY_LIMIT, VIGIL_RETRY_AFTER, VIGIL_RATE_LIMIT_INGEST, ...). */
  readonly ingest: IngestConfig;
  /** Query settings from the environment (VIGIL_QUERY_BODY_LIMIT, VIGIL_SSE_*, VIGIL_RATE_LIMIT_CONTROL, ...). */
  readonly query: QueryConfig;
  /** The notifier's settings (`VIGIL_WEBHOOK_*`, `VIGIL_NOTIFY_*`); `publicUrl` is null unless VIGIL_PUBLIC_URL says, then the listen address. */
  readonly notifier: NotifierConfig;
  readonly publicUrl: string | null;
}

/** Where the cross-field rules find each flag. */
const UP_SETTING_NAMES = {
  degradedAfter: { key: 'degraded-after', label: '--degraded-after' },
  unreachableAfter: { key: 'unreachable-after', label: '--unreachable-after' },
  window: { key: 'window', label: '--window' },
} as const;

const UpInput = z
  .strictObject({
    port: z.coerce.number().int().min(0).max(65_535).default(8080),
    host: z.string().min(1).default('127.0.0.1'),
    data: z.string().min(1).default('./data'),
    'api-key': z.string().min(8, 'an API key needs at least 8 characters').regex(/^\S+$/, 'an API key has no spaces').optional(),
    'degraded-after': durationSetting('--degraded-after'),
    'unreachable-after': durationSetting('--unreachable-after'),
    'stalled-after': durationSetting('--stalled-after'),
    'forget-after': durationSetting('--forget-after'),
    'keep-transitions': durationSetting('--keep-transitions'),
    'keep-metric-minutes': durationSetting('--keep-metric-minutes'),
    'keep-metric-hours': durationSetting('--keep-metric-hours'),
    window: durationSetting('--window'),
    partitions: z.coerce.number().int().min(1).max(256).optional(),
    'topic-prefix': z.string().regex(/^[a-zA-Z0-9._-]*$/).default('vigil.'),
    demo: z.boolean().default(false),
    'log-level': z.enum(LOG_LEVELS).default('info'),
  })
  .superRefine((c, ctx) =>
    checkDetectorSettings({ degradedAfterMs: c['degraded-after'], unreachableAfterMs: c['unreachable-after'], windowMs: c.window }, UP_SETTING_NAMES, ctx),
  );

/** Raw flag values (strings, booleans) merged with `VIGIL_*` environment variables; flags win. */
export type UpInput = z.input<typeof UpInput>;

/** Validates `vigil up` settings; throws a UsageError naming the flag and how to fix it. */
export function upConfig(flags: Record<string, string | boolean | undefined>, env: Readonly<Record<string, string | undefined>>): UpConfig {
  const merged: Record<string, unknown> = {};
  const fromEnv: Record<string, string | undefined> = {
    port: env['VIGIL_PORT'],
    host: env['VIGIL_HOST'],
    data: env['VIGIL_DATA'],
    'api-key': env['VIGIL_API_KEY'],
    'degraded-after': env['VIGIL_DEGRADED_AFTER'],
    'unreachable-after': env['VIGIL_UNREACHABLE_AFTER'],
    'stalled-after': env['VIGIL_STALLED_AFTER'],
    'forget-after': env['VIGIL_FORGET_AFTER'],
    'keep-transitions': env['VIGIL_KEEP_TRANSITIONS'],
    'keep-metric-minutes': env['VIGIL_KEEP_METRIC_MINUTES'],
    'keep-metric-hours': env['VIGIL_KEEP_METRIC_HOURS'],
    window: env['VIGIL_WINDOW'],
    partitions: env['VIGIL_PARTITIONS'],
    'topic-prefix': env['VIGIL_TOPIC_PREFIX'],
    'log-level': env['VIGIL_LOG_LEVEL'],
  };
  for (const [k, v] of Object.entries(fromEnv)) if (v !== undefined && v !== '') merged[k] = v;
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) merged[k] = v;
  const parsed = UpInput.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = issue.path.map(String).join('.');
    const message = issue.message.startsWith('--') ? issue.message : `--${flag}: ${issue.message}`;
    throw new UsageError(message);
  }
  const c = parsed.data;
  const windowMs = c.window ?? 1000;
  let notifier: NotifierConfig;
  try {
    notifier = notifierConfigFromEnv(env);
  } catch (err) {
    if (!(err instanceof NotifierConfigError)) throw err;
    throw new UsageError(err.message);
  }
  const publicUrl = (env[NOTIFIER_ENV.publicUrl] ?? '') === '' ? null : notifier.publicUrl;
  return Object.freeze({
    port: c.port,
    host: c.host,
    dataDir: c.data,
    apiKey: c['api-key'] ?? null,
    degradedAfterMs: c['degraded-after'],
    unreachableAfterMs: c['unreachable-after'],
    stalledAfterMs: c['stalled-after'],
    forgetAfterMs: c['forget-after'],
    keepTransitionsMs: c['keep-transitions'],
    keepMetricMinutesMs: c['keep-metric-minutes'],
    keepMetricHoursMs: c['keep-metric-hours'],
    windowMs,
    partitions: c.partitions ?? null,
    topicPrefix: c['topic-prefix'],
    demo: c.demo,
    logLevel: c['log-level'],
    ingest: embeddedIngestConfig(env, windowMs),
    query: embeddedQueryConfig(env),
    notifier,
    publicUrl,
  });
}

/** First line of a service config error, without the "invalid ... config:" preamble: the variable leads instead. */
function settingMessage(names: Readonly<Record<string, string>>, err: IngestConfigError | QueryConfigError): string {
  const field = String(err.details['field'] ?? '');
  const variable = names[field] ?? 'environment';
  const text = err.message
    .replace(/^invalid \w+ config: /, '')
    .replace(/ \(from VIGIL_\w+\)$/, '')
    .replace(new RegExp(`^${field}:? `), '');
  return `${variable}: ${text}`;
}

/**
 * The ingest settings `vigil up` honours, from the same variables as `vigil serve ingest`. Its clock is its own: ticks
 * cannot be turned off (nothing else would write them), and they come every min(1 s, window) unless
 * VIGIL_TICK_INTERVAL says otherwise, never slower than the window.
 */
function embeddedIngestConfig(env: Readonly<Record<string, string | undefined>>, windowMs: number): IngestConfig {
  const ticks = env[INGEST_ENV.ticks];
  if (ticks === 'false' || ticks === '0') {
    throw new UsageError(`${INGEST_ENV.ticks}: vigil up is the platform's only clock, so its ticks cannot be turned off; unset ${INGEST_ENV.ticks}`);
  }
  const tickSet = (env[INGEST_ENV.tickInterval] ?? '') !== '';
  let config: IngestConfig;
  try {
    config = ingestConfigFromEnv({ ...env, ...(tickSet ? {} : { [INGEST_ENV.tickInterval]: `${Math.min(1000, windowMs)}ms` }) });
  } catch (err) {
    if (err instanceof IngestConfigError) throw new UsageError(settingMessage(INGEST_ENV, err));
    throw err;
  }
  if (config.tickIntervalMs > windowMs) {
    throw new UsageError(
      `${INGEST_ENV.tickInterval}: ticks every ${config.tickIntervalMs} ms are slower than the window (${windowMs} ms), so windows would close late; lower it to at most the window`,
    );
  }
  return config;
}

function embeddedQueryConfig(env: Readonly<Record<string, string | undefined>>): QueryConfig {
  try {
    return queryConfigFromEnv(env);
  } catch (err) {
    if (err instanceof QueryConfigError) throw new UsageError(settingMessage(QUERY_ENV, err));
    throw err;
  }
}
