import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../testing/memory-io.ts';
import { main } from '../main.ts';
import { serveConfigFromEnv } from './serve-config.ts';

const BASE = { VIGIL_LOG: 'sqlite:/tmp/vigil-log.db', VIGIL_READ_MODEL: 'sqlite:/tmp/vigil-rm.db', VIGIL_API_KEYS: 'vgl_key_123=default' };

describe('VIGIL_STORE', () => {
  it.each(['kurrentdb://es:2113?tls=false', 'esdb:kurrentdb://es:2113?tls=false', 'kurrentdb+discover://a:2113,b:2113'])(
    'refuses %s at start, saying to write esdb://',
    (url) => {
      expect(() => serveConfigFromEnv('projector', { ...BASE, VIGIL_STORE: url })).toThrow(/kurrentdb:\/\/ URLs are not understood.*write "esdb/);
    },
  );

  it('exits 2 with one line before opening anything when given a kurrentdb:// store', async () => {
    const m = memoryIo({ env: { ...BASE, VIGIL_LOG: 'sqlite:/nonexistent/dir/log.db', VIGIL_STORE: 'kurrentdb://es:2113?tls=false' } });
    expect(await main(['serve', 'projector'], m.io)).toBe(2);
    expect(m.stderr()).toBe(
      'vigil serve projector: VIGIL_STORE: kurrentdb:// URLs are not understood by the EventStoreDB client; write "esdb://es:2113?tls=false" (same server, esdb:// scheme)\n',
    );
  });

  it('gives the query service the store when set (agent history), and none when not', () => {
    expect(serveConfigFromEnv('query', { ...BASE, VIGIL_STORE: 'esdb:esdb://es:2113?tls=false' }).store).toEqual({ kind: 'esdb', connectionString: 'esdb://es:2113?tls=false' });
    expect(serveConfigFromEnv('query', BASE).store).toBeNull();
    expect(serveConfigFromEnv('ingest', { ...BASE, VIGIL_STORE: 'sqlite:/tmp/s.db' }).store).toBeNull();
  });
});
