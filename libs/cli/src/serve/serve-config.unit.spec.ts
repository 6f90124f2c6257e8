import { describe, expect, it } from 'vitest';
import { serveConfigFromEnv } from './serve-config.ts';
import { ServeConfigError } from './serve-config-error.ts';
import type { ServiceName } from './serve-variables.ts';

const LOG = { VIGIL_LOG: 'sqlite:/tmp/vigil-log.db' };
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

  it.each([
    ['detector', {}, 'VIGIL_LOG', /is required/],
    ['detector', { VIGIL_LOG: 'redis://x' }, 'VIGIL_LOG', /sqlite:<file> or kafka:/],
    ['detector', { VIGIL_LOG: 'kafka:localhost' }, 'VIGIL_LOG', /host:port/],
    ['projector', { ...LOG, VIGIL_READ_MODEL: 'sqlite:/tmp/r.db' }, 'VIGIL_STORE', /required by the projector/],
    ['projector', { ...FULL, VIGIL_STORE: 'postgres://x' }, 'VIGIL_STORE', /esdb:esdb:\/\//],
    ['query', { ...LOG, VIGIL_API_KEYS: 'k_12345678=default' }, 'VIGIL_READ_MODEL', /required/],
    ['ingest', { ...FULL, VIGIL_API_KEYS: undefined }, 'VIGIL_API_KEYS', /key=tenant/],
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
