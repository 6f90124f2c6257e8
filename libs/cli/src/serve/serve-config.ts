import { ByteSizeInput, describeZodError, DurationInput, InMemoryApiKeyResolver, InvalidApiKeysError } from '@vigil/http';
import { ingestConfigFromEnv, IngestConfigError, INGEST_ENV, type IngestConfig } from '@vigil/ingest';
import { notifierConfigFromEnv, NotifierConfigError, type NotifierConfig } from '@vigil/notifier';
import { queryConfigFromEnv, QueryConfigError, QUERY_ENV, type QueryConfig } from '@vigil/query';
import { TenantId } from '@vigil/contracts';
import { privateTargetsAllowed } from '@vigil/webhooks';
import { z } from 'zod';
import { checkDetectorSettings, durationSetting, LOG_LEVELS } from '../platform/detector-settings-schema.ts';
import type { DetectorSettings } from '../platform/services.ts';
import { LogSpecInput, ReadModelSpecInput, StoreSpecInput, type LogSpec, type ReadModelSpec, type StoreSpec } from './adapter-specs.ts';
import type { KafkaSettings } from './kafka-settings.ts';
import { ServeConfigError } from './serve-config-error.ts';
import { KNOWN_VARIABLES, nearestVariable, type ServiceName } from './serve-variables.ts';

/** Settings of one `vigil serve <service>` process, from the environment, validated once at start and frozen. */
export interface ServeConfig {
  readonly service: ServiceName;
  readonly log: LogSpec;
  /** The projector's event store; null for the other services. */
  readonly store: StoreSpec | null;
  /** The read model file; null for the detector. */
  readonly readModel: ReadModelSpec | null;
  /** Ingest/query fold their own read model from the topics instead of reading the projector's. */
  readonly ownProjection: boolean;
  readonly topicPrefix: string;
  readonly partitions: number;
  readonly port: number;
  readonly host: string;
  /** `key=tenant[:role],...` (VIGIL_API_KEYS, deprecated: static keys), checked; null when unset and for the detector and projector. */
  readonly apiKeys: string | null;
  /** The bootstrap admin key (VIGIL_ADMIN_KEY); null when unset and for the detector and projector. */
  readonly adminKey: string | null;
  /** The tenant the bootstrap admin key acts as operator of (VIGIL_ADMIN_TENANT). */
  readonly adminTenant: string;
  readonly detector: DetectorSettings;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** The ingest service's own settings (VIGIL_INGEST_BODY_LIMIT, VIGIL_TICKS, ...); null for the others. */
  readonly ingest: IngestConfig | null;
  /** The query service's own settings (VIGIL_SSE_*, ...); null for the others. */
  readonly query: QueryConfig | null;
  /** KafkaLog tuning (`VIGIL_KAFKA_*`) with `VIGIL_LOG=kafka:`; null with an embedded log. */
  readonly kafka: KafkaSettings | null;
  /** Records per batch of the detector's and projector's consumers (`VIGIL_BATCH_SIZE`); null for ingest and query. */
  readonly batchSize: number | null;
  /** The webhook store (`VIGIL_WEBHOOK_STORE`): required by the notifier, optional for query (its /v1/webhooks routes). */
  readonly webhookStore: ReadModelSpec | null;
  /** Webhooks may target private and loopback addresses (`VIGIL_WEBHOOK_ALLOW_PRIVATE=1`). */
  readonly allowPrivateWebhooks: boolean;
  /** The notifier's own settings (`VIGIL_WEBHOOK_*`, `VIGIL_NOTIFY_*`, `VIGIL_PUBLIC_URL`); null for the others. */
  readonly notifier: NotifierConfig | null;
}

/** Default port of each service, so that all four can run on one machine without settings. */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = Object.freeze({ query: 8080, ingest: 8081, detector: 8082, projector: 8083, notifier: 8084 });

/**
 * Defaults of `VIGIL_BATCH_SIZE` per log. Kafka: 20,000, what `npm run bench -- kafka` ran with (with 4 MiB fetches,
 * about 3x the catch-up rate of the 500/1 MiB defaults: fewer, larger transactions). It is memory-safe because a
 * batch is cut from one fetch, and a fetch is bounded in bytes (VIGIL_KAFKA_FETCH_BYTES per partition, at most 8
 * partitions' worth per request), so the count only stops a batch early. Embedded log: 500, the consumers' own
 * default, because the bench measured Kafka only and an embedded batch holds the shared file's write lock for
 * its whole transaction, stalling the other processes on the machine.
 */
export const DEFAULT_BATCH_SIZE: Readonly<Record<LogSpec['kind'], number>> = Object.freeze({ kafka: 20_000, sqlite: 500 });

/** Default of `VIGIL_KAFKA_FETCH_BYTES`: 4 MiB per partition, what the bench ran with (KafkaLog's own default is 1 MiB). */
export const DEFAULT_KAFKA_FETCH_BYTES = 4 * 1024 * 1024;

/** The `VIGIL_KAFKA_*` variables, which tune a broker connection and so mean nothing with an embedded log. */
const KAFKA_VARIABLES = ['VIGIL_KAFKA_SESSION_TIMEOUT', 'VIGIL_KAFKA_FETCH_BYTES', 'VIGIL_KAFKA_REQUEST_TIMEOUT'] as const;

/** A duration variable within bounds, with messages that say them as people write them (`6s`, not 6000). */
function boundedDuration(min: { ms: number; text: string }, max: { ms: number; text: string }) {
  return DurationInput.pipe(z.number().min(min.ms, `must be at least ${min.text}`).max(max.ms, `must be at most ${max.text}`)).optional();
}

const Flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const ServeEnv = z.strictObject({
  VIGIL_LOG: LogSpecInput.optional(),
  VIGIL_STORE: StoreSpecInput.optional(),
  VIGIL_READ_MODEL: ReadModelSpecInput.optional(),
  VIGIL_QUERY_PROJECTION: Flag.optional(),
  VIGIL_TOPIC_PREFIX: z.string().regex(/^[a-zA-Z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"').default('vigil.'),
  VIGIL_PARTITIONS: z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(1).max(1024)).default(4),
  VIGIL_PORT: z.string().regex(/^\d+$/, 'must be a port number (0 picks a free one)').transform(Number).pipe(z.number().int().max(65_535)).optional(),
  VIGIL_HOST: z.string().min(1).default('127.0.0.1'),
  VIGIL_API_KEYS: z.string().optional(),
  VIGIL_ADMIN_KEY: z.string().min(16, 'needs at least 16 characters (vigil keys make 36)').regex(/^\S+$/, 'may hold no spaces').optional(),
  VIGIL_ADMIN_TENANT: TenantId.default('default'),
  VIGIL_DEGRADED_AFTER: durationSetting('VIGIL_DEGRADED_AFTER'),
  VIGIL_UNREACHABLE_AFTER: durationSetting('VIGIL_UNREACHABLE_AFTER'),
  VIGIL_STALLED_AFTER: durationSetting('VIGIL_STALLED_AFTER'),
  VIGIL_WINDOW: durationSetting('VIGIL_WINDOW'),
  VIGIL_LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  // Kafka's own bounds: brokers reject a session outside group.min/max.session.timeout.ms (6 s and, before Kafka 2.0,
  // 5 min; later brokers allow 30 min, but a dead detector unnoticed for longer than 5 min is never what is meant).
  VIGIL_KAFKA_SESSION_TIMEOUT: boundedDuration({ ms: 6_000, text: '6s' }, { ms: 300_000, text: '5m' }),
  // Below 64 KiB a fetch returns a handful of heartbeats; above 16 MiB one request (8 partitions' worth) may hold 128 MiB.
  VIGIL_KAFKA_FETCH_BYTES: ByteSizeInput.pipe(z.number().int().min(64 * 1024, 'must be at least 64kb').max(16 * 1024 * 1024, 'must be at most 16mb')).optional(),
  // Below 1 s a healthy broker under load times out; above 5 min a hung broker holds ingest requests that long.
  VIGIL_KAFKA_REQUEST_TIMEOUT: boundedDuration({ ms: 1_000, text: '1s' }, { ms: 300_000, text: '5m' }),
  VIGIL_WEBHOOK_STORE: ReadModelSpecInput.optional(),
  VIGIL_BATCH_SIZE: z.string().regex(/^\d+$/, 'must be a whole number of records').transform(Number).pipe(z.number().int().min(1, 'must be at least 1').max(50_000, 'must be at most 50000')).optional(),
});
type ServeEnv = z.output<typeof ServeEnv>;

const SETTING_NAMES = {
  degradedAfter: { key: 'VIGIL_DEGRADED_AFTER', label: 'VIGIL_DEGRADED_AFTER' },
  unreachableAfter: { key: 'VIGIL_UNREACHABLE_AFTER', label: 'VIGIL_UNREACHABLE_AFTER' },
  window: { key: 'VIGIL_WINDOW', label: 'VIGIL_WINDOW' },
} as const;

/** Which services need which adapters: a missing one is a start-up error that says what to set. */
const NEEDS: Readonly<Record<ServiceName, { store: boolean; readModel: boolean; apiKeys: boolean }>> = {
  ingest: { store: false, readModel: true, apiKeys: true },
  detector: { store: false, readModel: false, apiKeys: false },
  projector: { store: true, readModel: true, apiKeys: false },
  query: { store: false, readModel: true, apiKeys: true },
  notifier: { store: false, readModel: false, apiKeys: false },
};

/**
 * Validates the environment of `vigil serve <service>`: every `VIGIL_*` variable must be known (a typo is an error,
 * not a silently ignored setting), values are parsed strictly, and cross-field rules say how to fix what is wrong.
 * Variables a service does not use are ignored, so one environment file can serve all four. Throws ServeConfigError.
 */
export function serveConfigFromEnv(service: ServiceName, env: Readonly<Record<string, string | undefined>>): ServeConfig {
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('VIGIL_') || KNOWN_VARIABLES.has(name)) continue;
    const near = nearestVariable(name);
    throw new ServeConfigError(name, `unknown variable${near === undefined ? '' : `; did you mean ${near}?`} (vigil serve --help lists them)`);
  }
  const input: Record<string, string> = {};
  for (const key of Object.keys(ServeEnv.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = ServeEnv.superRefine((c, ctx) => checkServeEnv(service, c, ctx)).safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw new ServeConfigError(field, withoutName(withoutName(message, `${field}: `), `${field} `));
  }
  const c = parsed.data;
  const needs = NEEDS[service];
  return Object.freeze({
    service,
    log: c.VIGIL_LOG!,
    store: needs.store ? c.VIGIL_STORE! : null,
    readModel: needs.readModel ? c.VIGIL_READ_MODEL! : null,
    ownProjection: (service === 'ingest' || service === 'query') && c.VIGIL_QUERY_PROJECTION === true,
    topicPrefix: c.VIGIL_TOPIC_PREFIX,
    partitions: c.VIGIL_PARTITIONS,
    port: c.VIGIL_PORT ?? DEFAULT_PORTS[service],
    host: c.VIGIL_HOST,
    apiKeys: needs.apiKeys ? (c.VIGIL_API_KEYS ?? null) : null,
    adminKey: needs.apiKeys ? (c.VIGIL_ADMIN_KEY ?? null) : null,
    adminTenant: c.VIGIL_ADMIN_TENANT,
    detector: Object.freeze({
      windowMs: c.VIGIL_WINDOW ?? 1000,
      degradedAfterMs: c.VIGIL_DEGRADED_AFTER,
      unreachableAfterMs: c.VIGIL_UNREACHABLE_AFTER,
      stalledAfterMs: c.VIGIL_STALLED_AFTER,
    }),
    logLevel: c.VIGIL_LOG_LEVEL,
    ingest: service === 'ingest' ? ingestSettings(env, c) : null,
    query: service === 'query' ? querySettings(env) : null,
    kafka:
      c.VIGIL_LOG!.kind === 'kafka'
        ? Object.freeze({
            sessionTimeoutMs: c.VIGIL_KAFKA_SESSION_TIMEOUT,
            fetchMaxBytesPerPartition: c.VIGIL_KAFKA_FETCH_BYTES ?? DEFAULT_KAFKA_FETCH_BYTES,
            requestTimeoutMs: c.VIGIL_KAFKA_REQUEST_TIMEOUT,
          })
        : null,
    batchSize: service === 'detector' || service === 'projector' ? (c.VIGIL_BATCH_SIZE ?? DEFAULT_BATCH_SIZE[c.VIGIL_LOG!.kind]) : null,
    webhookStore: service === 'notifier' || service === 'query' ? (c.VIGIL_WEBHOOK_STORE ?? null) : null,
    allowPrivateWebhooks: privateTargetsAllowed(env),
    notifier: service === 'notifier' ? notifierSettings(env) : null,
  });
}

function checkServeEnv(service: ServiceName, c: ServeEnv, ctx: z.RefinementCtx): void {
  const issue = (variable: string, message: string): void => ctx.addIssue({ code: 'custom', path: [variable], message });
  const needs = NEEDS[service];
  if (c.VIGIL_LOG === undefined) issue('VIGIL_LOG', 'is required: set sqlite:<file> (processes on one machine) or kafka:<host:port,...>');
  if (needs.store && c.VIGIL_STORE === undefined) issue('VIGIL_STORE', 'is required by the projector: set sqlite:<file> or esdb:esdb://host:2113?tls=false');
  if (needs.readModel && c.VIGIL_READ_MODEL === undefined) {
    const why = service === 'projector' ? 'the projector writes it' : c.VIGIL_QUERY_PROJECTION ? `${service} folds its own view into it` : `${service} reads the file the projector writes`;
    issue('VIGIL_READ_MODEL', `is required (${why}): set sqlite:<file>`);
  }
  if (service === 'notifier' && c.VIGIL_WEBHOOK_STORE === undefined) {
    issue('VIGIL_WEBHOOK_STORE', 'is required by the notifier (where webhooks and deliveries live; give query the same file): set sqlite:<file>');
  }
  if (needs.apiKeys) {
    if (c.VIGIL_API_KEYS === undefined && c.VIGIL_ADMIN_KEY === undefined) {
      issue('VIGIL_ADMIN_KEY', `is required by ${service}: set the bootstrap admin key (then create the others with vigil keys create), or the deprecated VIGIL_API_KEYS=key=tenant[:role]`);
    } else if (c.VIGIL_API_KEYS !== undefined) {
      try {
        InMemoryApiKeyResolver.fromSpec(c.VIGIL_API_KEYS);
      } catch (err) {
        if (!(err instanceof InvalidApiKeysError)) throw err;
        issue('VIGIL_API_KEYS', `${err.message} (write key=tenant[:role][,key2=tenant2])`);
      }
    }
  }
  if (c.VIGIL_QUERY_PROJECTION === true && (service === 'ingest' || service === 'query') && c.VIGIL_LOG?.kind === 'sqlite') {
    issue(
      'VIGIL_QUERY_PROJECTION',
      'is for Kafka mode (a replica on another machine); with VIGIL_LOG=sqlite: read the projector’s VIGIL_READ_MODEL file instead: unset VIGIL_QUERY_PROJECTION',
    );
  }
  // Rejected rather than ignored, like VIGIL_QUERY_PROJECTION: an operator who set a short session timeout expects
  // fast failover, and a silently ignored setting would leave that belief standing until a real outage.
  if (c.VIGIL_LOG?.kind === 'sqlite') {
    for (const variable of KAFKA_VARIABLES) {
      if (c[variable] !== undefined) issue(variable, `tunes the Kafka client, but VIGIL_LOG is sqlite: (no broker): unset ${variable}, or set VIGIL_LOG=kafka:<host:port,...>`);
    }
  }
  checkDetectorSettings(
    { degradedAfterMs: c.VIGIL_DEGRADED_AFTER, unreachableAfterMs: c.VIGIL_UNREACHABLE_AFTER, windowMs: c.VIGIL_WINDOW },
    SETTING_NAMES,
    ctx,
  );
}

/** Ingest's own settings; without VIGIL_TICK_INTERVAL it ticks at min(1 s, VIGIL_WINDOW), as `vigil up` does. */
function ingestSettings(env: Readonly<Record<string, string | undefined>>, c: ServeEnv): IngestConfig {
  const tickVariable = INGEST_ENV.tickInterval;
  const window = c.VIGIL_WINDOW;
  const ticksOff = env[INGEST_ENV.ticks] === 'false' || env[INGEST_ENV.ticks] === '0';
  const derived = (env[tickVariable] ?? '') === '' && window !== undefined && window < 1000 && !ticksOff ? { [tickVariable]: `${window}ms` } : {};
  let config: IngestConfig;
  try {
    config = ingestConfigFromEnv({ ...env, ...derived });
  } catch (err) {
    if (!(err instanceof IngestConfigError)) throw err;
    throw serviceError(err.details['field'], INGEST_ENV, err.message);
  }
  if (window !== undefined && config.ticksEnabled && config.tickIntervalMs > window) {
    throw new ServeConfigError(
      tickVariable,
      `ticks every ${config.tickIntervalMs} ms are slower than VIGIL_WINDOW (${window} ms), so windows would close late: lower ${tickVariable} to at most the window`,
    );
  }
  return config;
}

function querySettings(env: Readonly<Record<string, string | undefined>>): QueryConfig {
  try {
    return queryConfigFromEnv(env);
  } catch (err) {
    if (!(err instanceof QueryConfigError)) throw err;
    throw serviceError(err.details['field'], QUERY_ENV, err.message);
  }
}

function notifierSettings(env: Readonly<Record<string, string | undefined>>): NotifierConfig {
  try {
    return notifierConfigFromEnv(env);
  } catch (err) {
    if (!(err instanceof NotifierConfigError)) throw err;
    const field = String(err.details['field']);
    throw new ServeConfigError(field, err.message.replace(`${field}: `, ''));
  }
}

/** Drops a leading variable name, which ServeConfigError puts back in front once. */
function withoutName(message: string, prefix: string): string {
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** Turns a service config error ("invalid ingest config: tickInterval: ... (from VIGIL_TICK_INTERVAL)") into one line naming the variable. */
function serviceError(field: unknown, names: Readonly<Record<string, string>>, message: string): ServeConfigError {
  const variable = names[String(field)] ?? 'environment';
  const text = message
    .replace(/^invalid \w+ config: /, '')
    .replace(/ \(from VIGIL_\w+\)$/, '')
    .replace(new RegExp(`^${String(field)}:? `), '');
  return new ServeConfigError(variable, text);
}
