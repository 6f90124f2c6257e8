import { describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_CONFIG, ingestConfig, ingestConfigFromEnv } from './config.ts';
import { IngestConfigError } from './errors.ts';

describe('ingest config', () => {
  it('defaults to 1 MiB bodies and a tick every second', () => {
    expect(ingestConfig()).toEqual(DEFAULT_INGEST_CONFIG);
    expect(DEFAULT_INGEST_CONFIG.bodyLimitBytes).toBe(1024 * 1024);
    expect(DEFAULT_INGEST_CONFIG.tickIntervalMs).toBe(1000);
  });

  it('reads sizes and durations as people write them, and freezes the result', () => {
    const config = ingestConfig({ bodyLimit: '256kb', tickInterval: '500ms', retryAfter: '5s' });
    expect(config).toMatchObject({ bodyLimitBytes: 256 * 1024, tickIntervalMs: 500, retryAfterSeconds: 5 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('rejects unknown settings, naming them', () => {
    expect(() => ingestConfig({ bodyLimt: '1mb' } as never)).toThrow(/bodyLimt/);
  });

  it('says how to fix a tick interval given while ticks are off', () => {
    expect(() => ingestConfig({ ticks: false, tickInterval: '1s' })).toThrow(/remove tickInterval or set ticks=true/);
  });

  it('names the environment variable of a bad value', () => {
    let error: unknown;
    try {
      ingestConfigFromEnv({ VIGIL_INGEST_BODY_LIMIT: 'huge' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IngestConfigError);
    expect((error as Error).message).toContain('VIGIL_INGEST_BODY_LIMIT');
  });
});
