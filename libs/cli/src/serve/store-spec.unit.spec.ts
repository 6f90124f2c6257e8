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

describe('vigil serve query with VIGIL_STORE', () => {
  it('answers agent history from the store it is given, and 503 naming VIGIL_STORE without one', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { EmbeddedLog } = await import('@vigil/log');
    const { topicNames } = await import('@vigil/contracts');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-serve-query-'));
    try {
      const logFile = join(dir, 'log.db');
      const log = new EmbeddedLog({ path: logFile });
      const topics = topicNames('vigil.');
      await log.ensureTopic(topics.agentEvents, { partitions: 1 });
      await log.ensureTopic(topics.statusTransitions, { partitions: 1 });
      await log.close();
      const env = { VIGIL_LOG: `sqlite:${logFile}`, VIGIL_READ_MODEL: `sqlite:${join(dir, 'rm.db')}`, VIGIL_API_KEYS: 'vgl_serve_key_1=default', VIGIL_PORT: '0', VIGIL_LOG_LEVEL: 'silent' };
      for (const [store, expected] of [[`sqlite:${join(dir, 'store.db')}`, 404], [undefined, 503]] as const) {
        const stop = new AbortController();
        const m = memoryIo({ env: { ...env, ...(store === undefined ? {} : { VIGIL_STORE: store }) }, signal: stop.signal });
        const run = main(['serve', 'query'], m.io);
        let url: string | undefined;
        for (let i = 0; i < 400 && url === undefined; i++) {
          url = /ready on (\S+)/.exec(m.stdout())?.[1];
          if (url === undefined) await new Promise((r) => setTimeout(r, 50));
        }
        expect(url, m.stderr()).toBeDefined();
        const res = await fetch(`${url}/v1/agents/nobody/history`, { headers: { authorization: 'Bearer vgl_serve_key_1' } });
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(res.status).toBe(expected);
        expect(body.error.code).toBe(expected === 404 ? 'VIGIL_ERR_AGENT_NOT_FOUND' : 'VIGIL_ERR_HISTORY_UNAVAILABLE');
        stop.abort();
        expect(await run).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
