import type { ConsumerOptions, EventLog } from '@vigil/log';
import { parseKafkaLogOptions } from '@vigil/log/kafka';
import { describe, expect, it } from 'vitest';
import { withConsumerBatchSize } from '../platform/batch-sized-log.ts';
import { detectorOptionsFor } from '../platform/services.ts';
import { kafkaLogTuning } from './kafka-settings.ts';
import { serveConfigFromEnv } from './serve-config.ts';
import { ServeConfigError } from './serve-config-error.ts';
import type { ServiceName } from './serve-variables.ts';

const LOG = { VIGIL_LOG: 'sqlite:/tmp/vigil-log.db' };
const KAFKA = { VIGIL_LOG: 'kafka:127.0.0.1:9092' };
const FULL = { ...LOG, VIGIL_STORE: 'sqlite:/tmp/store.db', VIGIL_READ_MODEL: 'sqlite:/tmp/read.db', VIGIL_API_KEYS: 'vgl_key_123=default' };

/** The one-line message of the error `serveConfigFromEnv` throws for this environment. */
function failure(service: ServiceName, env: Record<string, string>): { variable: string; message: string } {
  try {
    serveConfigFromEnv(service, env);
  } catch (err) {
    if (err instanceof ServeConfigError) return { variable: err.variable, message: err.message };
    throw err;
  }
  throw new Error('expected the environment to be rejected');
}

describe('vigil serve environment', () => {
  it('starts a detector with only VIGIL_LOG, on its default port', () => {
    const c = serveConfigFromEnv('detector', LOG);
    expect(c).toMatchObject({ log: { kind: 'sqlite', path: '/tmp/vigil-log.db' }, port: 8082, host: '127.0.0.1', topicPrefix: 'vigil.', store: null, readModel: null });
    expect(c.detector).toEqual({ windowMs: 1000, degradedAfterMs: undefined, unreachableAfterMs: undefined, stalledAfterMs: undefined });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads kafka brokers, an esdb connection string, thresholds and the services’ own settings', () => {
    const c = serveConfigFromEnv('projector', { ...FULL, VIGIL_LOG: 'kafka:k1:9092, k2:9092', VIGIL_STORE: 'esdb:esdb://es:2113?tls=false', VIGIL_DEGRADED_AFTER: '45s' });
    expect(c.log).toEqual({ kind: 'kafka', brokers: ['k1:9092', 'k2:9092'] });
    expect(c.store).toEqual({ kind: 'esdb', connectionString: 'esdb://es:2113?tls=false' });
    expect(c.detector.degradedAfterMs).toBe(45_000);
    expect(serveConfigFromEnv('query', { ...FULL, VIGIL_SSE_MAX_CLIENTS: '7' }).query?.sseMaxClients).toBe(7);
  });

  it('ticks at the window when the window is shorter than a second and no tick interval is set', () => {
    expect(serveConfigFromEnv('ingest', { ...FULL, VIGIL_WINDOW: '500ms' }).ingest?.tickIntervalMs).toBe(500);
  });

  it('passes the VIGIL_KAFKA_* tuning to the KafkaLog options, and the batch size to the detector', () => {
    const env = { ...KAFKA, VIGIL_KAFKA_SESSION_TIMEOUT: '6s', VIGIL_KAFKA_FETCH_BYTES: '8mb', VIGIL_KAFKA_REQUEST_TIMEOUT: '2s', VIGIL_BATCH_SIZE: '5000' };
    const c = serveConfigFromEnv('detector', env);
    expect(c.kafka).toEqual({ sessionTimeoutMs: 6_000, fetchMaxBytesPerPartition: 8 * 1024 * 1024, requestTimeoutMs: 2_000 });
    // Through KafkaLog's own validation: a 6 s session gets a 2 s heartbeat (a third), which KafkaLog accepts.
    const options = parseKafkaLogOptions({ brokers: ['127.0.0.1:9092'], ...kafkaLogTuning(c.kafka!) });
    expect(options).toMatchObject({ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 2_000, fetchMaxBytesPerPartition: 8 * 1024 * 1024, requestTimeoutMs: 2_000 });
    expect(detectorOptionsFor(c.topicPrefix, c.detector, c.batchSize ?? undefined).maxBatchSize).toBe(5_000);
  });

  it('keeps KafkaLog defaults where nothing is set, with the bench-tuned fetch size and batch size', () => {
    const c = serveConfigFromEnv('detector', KAFKA);
    expect(c.kafka).toEqual({ sessionTimeoutMs: undefined, fetchMaxBytesPerPartition: 4 * 1024 * 1024, requestTimeoutMs: undefined });
    expect(kafkaLogTuning(c.kafka!)).toEqual({ fetchMaxBytesPerPartition: 4 * 1024 * 1024 });
    expect(parseKafkaLogOptions({ brokers: ['127.0.0.1:9092'], ...kafkaLogTuning(c.kafka!) })).toMatchObject({ sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3_000, requestTimeoutMs: 30_000 });
    expect(c.batchSize).toBe(20_000);
    expect(serveConfigFromEnv('detector', LOG)).toMatchObject({ kafka: null, batchSize: 500 });
    expect(serveConfigFromEnv('ingest', { ...FULL, VIGIL_BATCH_SIZE: '100' }).batchSize).toBeNull();
  });

  it('gives the projector’s consumers VIGIL_BATCH_SIZE unless a consumer asks for its own', () => {
    const asked: ConsumerOptions[] = [];
    const log = { consumer: (o: ConsumerOptions) => (asked.push(o), null) } as unknown as EventLog;
    const sized = withConsumerBatchSize(log, serveConfigFromEnv('projector', { ...FULL, VIGIL_BATCH_SIZE: '2000' }).batchSize!);
    sized.consumer({ groupId: 'g', topic: 't' });
    sized.consumer({ groupId: 'g', topic: 't', maxBatchSize: 7 });
    expect(asked.map((o) => o.maxBatchSize)).toEqual([2_000, 7]);
  });

  it.each([
    ['detector', {}, 'VIGIL_LOG', /is required/],
    ['detector', { ...KAFKA, VIGIL_KAFKA_SESSION_TIMEOUT: '5s' }, 'VIGIL_KAFKA_SESSION_TIMEOUT', /at least 6s/],
    ['detector', { ...KAFKA, VIGIL_KAFKA_SESSION_TIMEOUT: '10m' }, 'VIGIL_KAFKA_SESSION_TIMEOUT', /at most 5m/],
    ['detector', { ...KAFKA, VIGIL_KAFKA_SESSION_TIMEOUT: 'fast' }, 'VIGIL_KAFKA_SESSION_TIMEOUT', /not a duration/],
    ['ingest', { ...FULL, ...KAFKA, VIGIL_KAFKA_REQUEST_TIMEOUT: '100ms' }, 'VIGIL_KAFKA_REQUEST_TIMEOUT', /at least 1s/],
    ['ingest', { ...FULL, ...KAFKA, VIGIL_KAFKA_REQUEST_TIMEOUT: 'soon' }, 'VIGIL_KAFKA_REQUEST_TIMEOUT', /not a duration/],
    ['detector', { ...KAFKA, VIGIL_KAFKA_FETCH_BYTES: 'lots' }, 'VIGIL_KAFKA_FETCH_BYTES', /not a size/],
    ['detector', { ...KAFKA, VIGIL_KAFKA_FETCH_BYTES: '1kb' }, 'VIGIL_KAFKA_FETCH_BYTES', /at least 64kb/],
    ['detector', { ...KAFKA, VIGIL_KAFKA_FETCH_BYTES: '1gb' }, 'VIGIL_KAFKA_FETCH_BYTES', /at most 16mb/],
    ['detector', { ...LOG, VIGIL_KAFKA_FETCH_BYTES: '4mb' }, 'VIGIL_KAFKA_FETCH_BYTES', /sqlite:.*unset VIGIL_KAFKA_FETCH_BYTES/],
    ['query', { ...FULL, VIGIL_KAFKA_SESSION_TIMEOUT: '10s' }, 'VIGIL_KAFKA_SESSION_TIMEOUT', /VIGIL_LOG=kafka:/],
    ['detector', { ...KAFKA, VIGIL_BATCH_SIZE: '0' }, 'VIGIL_BATCH_SIZE', /at least 1/],
    ['projector', { ...FULL, VIGIL_BATCH_SIZE: '50001' }, 'VIGIL_BATCH_SIZE', /at most 50000/],
    ['detector', { ...KAFKA, VIGIL_BATCH_SIZE: '1e3' }, 'VIGIL_BATCH_SIZE', /whole number/],
    ['detector', { VIGIL_LOG: 'redis://x' }, 'VIGIL_LOG', /sqlite:<file> or kafka:/],
    ['detector', { VIGIL_LOG: 'kafka:localhost' }, 'VIGIL_LOG', /host:port/],
    ['projector', { ...LOG, VIGIL_READ_MODEL: 'sqlite:/tmp/r.db' }, 'VIGIL_STORE', /required by the projector/],
    ['projector', { ...FULL, VIGIL_STORE: 'postgres://x' }, 'VIGIL_STORE', /esdb:esdb:\/\//],
    ['query', { ...LOG, VIGIL_API_KEYS: 'k_12345678=default' }, 'VIGIL_READ_MODEL', /required/],
    ['ingest', { ...FULL, VIGIL_API_KEYS: undefined }, 'VIGIL_ADMIN_KEY', /bootstrap admin key/],
    ['query', { ...FULL, VIGIL_ADMIN_KEY: 'short' }, 'VIGIL_ADMIN_KEY', /16 characters/],
    ['query', { ...FULL, VIGIL_API_KEYS: 'k_12345678=default:root' }, 'VIGIL_API_KEYS', /role/],
    ['query', { ...FULL, VIGIL_ADMIN_TENANT: 'Acme' }, 'VIGIL_ADMIN_TENANT', /lower-case/],
    ['query', { ...FULL, VIGIL_RATE_LIMIT_CONTROL: 'lots' }, 'VIGIL_RATE_LIMIT_CONTROL', /whole number/],
    ['ingest', { ...FULL, VIGIL_RATE_LIMIT_INGEST: '99999999' }, 'VIGIL_RATE_LIMIT_INGEST', /at most/],
    ['ingest', { ...FULL, VIGIL_MAX_EVENT_LOOP_DELAY: '2m' }, 'VIGIL_MAX_EVENT_LOOP_DELAY', /at most 60s/],
    ['query', { ...FULL, VIGIL_API_KEYS: 'no-equals-sign' }, 'VIGIL_API_KEYS', /key=tenant/],
    ['detector', { ...LOG, VIGIL_PORT: '80a' }, 'VIGIL_PORT', /port number/],
    ['detector', { ...LOG, VIGIL_PORT: '70000' }, 'VIGIL_PORT', /65535/],
    ['detector', { ...LOG, VIGIL_PARTITIONS: '0' }, 'VIGIL_PARTITIONS', /1/],
    ['detector', { ...LOG, VIGIL_TOPIC_PREFIX: 'a b' }, 'VIGIL_TOPIC_PREFIX', /letters, digits/],
    ['detector', { ...LOG, VIGIL_WINDOW: 'soon' }, 'VIGIL_WINDOW', /duration like 90s/],
    ['detector', { ...LOG, VIGIL_WINDOW: '7s' }, 'VIGIL_WINDOW', /divide one minute/],
    ['detector', { ...LOG, VIGIL_DEGRADED_AFTER: '5m', VIGIL_UNREACHABLE_AFTER: '2m' }, 'VIGIL_DEGRADED_AFTER', /less than VIGIL_UNREACHABLE_AFTER/],
    ['detector', { ...LOG, VIGIL_LOG_LEVEL: 'loud' }, 'VIGIL_LOG_LEVEL', /one of fatal, error/],
    ['detector', { ...LOG, VIGIL_PARTITON: '4' }, 'VIGIL_PARTITON', /did you mean VIGIL_PARTITIONS/],
    ['query', { ...FULL, VIGIL_QUERY_PROJECTION: '1' }, 'VIGIL_QUERY_PROJECTION', /Kafka mode/],
    ['query', { ...FULL, VIGIL_QUERY_PROJECTION: 'yes' }, 'VIGIL_QUERY_PROJECTION', /.+/],
    ['ingest', { ...FULL, VIGIL_TICK_INTERVAL: '5ms' }, 'VIGIL_TICK_INTERVAL', /at least 10ms/],
    ['ingest', { ...FULL, VIGIL_WINDOW: '1s', VIGIL_TICK_INTERVAL: '2s' }, 'VIGIL_TICK_INTERVAL', /slower than VIGIL_WINDOW/],
    ['query', { ...FULL, VIGIL_SSE_KEEPALIVE: '100ms', VIGIL_SSE_POLL_INTERVAL: '1s' }, 'VIGIL_SSE_KEEPALIVE', /longer than/],
  ] as const)('%s rejects %j naming %s', (service, env, variable, message) => {
    const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const f = failure(service, clean);
    expect(f.variable).toBe(variable);
    expect(f.message.startsWith(`${variable}: `)).toBe(true);
    expect(f.message).toMatch(message);
    expect(f.message).not.toContain('\n');
  });

  it('ignores variables a service does not use and those of other vigil commands', () => {
    expect(() => serveConfigFromEnv('detector', { ...FULL, VIGIL_URL: 'http://x', VIGIL_DATA: './d', VIGIL_TICKS: 'false' })).not.toThrow();
  });
});
