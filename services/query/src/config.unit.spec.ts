import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_CONFIG, queryConfig, queryConfigFromEnv } from './config.ts';
import { QueryConfigError } from './errors.ts';

describe('query config', () => {
  it('defaults to polling every 500 ms with a keepalive every 15 s', () => {
    expect(queryConfig()).toEqual(DEFAULT_QUERY_CONFIG);
    expect(Object.isFrozen(queryConfig())).toBe(true);
  });

  it('reads durations and counts from strings', () => {
    expect(queryConfig({ ssePollInterval: '250ms', sseKeepalive: '30s', sseMaxClients: '10' })).toMatchObject({
      ssePollIntervalMs: 250,
      sseKeepaliveMs: 30_000,
      sseMaxClients: 10,
    });
  });

  it('says how to fix a keepalive shorter than the poll interval', () => {
    expect(() => queryConfig({ ssePollInterval: '2s', sseKeepalive: '1s' })).toThrow(/raise sseKeepalive or lower ssePollInterval/);
  });

  it('names the environment variable of a bad value', () => {
    expect(() => queryConfigFromEnv({ VIGIL_SSE_MAX_CLIENTS: 'many' })).toThrow(QueryConfigError);
    expect(() => queryConfigFromEnv({ VIGIL_SSE_MAX_CLIENTS: 'many' })).toThrow(/VIGIL_SSE_MAX_CLIENTS/);
  });
});
