import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../../testing/memory-io.ts';
import { main } from '../main.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('vigil serve', () => {
  it('exits 2 with one line naming the variable, before opening anything', async () => {
    const m = memoryIo({ env: { VIGIL_LOG: 'sqlite:/nonexistent/dir/log.db', VIGIL_WINDOW: '7s' } });
    expect(await main(['serve', 'detector'], m.io)).toBe(2);
    expect(m.stderr()).toBe('vigil serve detector: VIGIL_WINDOW: must be between 10ms and 60s and divide one minute (e.g. 500ms, 1s, 5s)\n');
    expect(m.stdout()).toBe('');
  });

  it('rejects an unknown service with the list of services', async () => {
    const m = memoryIo();
    expect(await main(['serve', 'mailer'], m.io)).toBe(2);
    expect(m.stderr()).toMatch(/unknown service 'mailer': one of ingest, detector, projector, query, notifier/);
  });

  it('refuses to serve the notifier without VIGIL_WEBHOOK_STORE, naming it', async () => {
    const m = memoryIo({ env: { VIGIL_LOG: 'sqlite:/tmp/never-opened.db' } });
    expect(await main(['serve', 'notifier'], m.io)).toBe(2);
    expect(m.stderr()).toMatch(/VIGIL_WEBHOOK_STORE: is required by the notifier/);
  });

  it('serves the detector with /readyz on an embedded log, and exits 0 when stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-serve-'));
    dirs.push(dir);
    const file = join(dir, 'log.db');
    const stop = new AbortController();
    const keys = 'vgl_test_key_1=default';
    const ingest = memoryIo({ env: { VIGIL_LOG: `sqlite:${file}`, VIGIL_READ_MODEL: `sqlite:${join(dir, 'rm.db')}`, VIGIL_API_KEYS: keys, VIGIL_PORT: '0', VIGIL_LOG_LEVEL: 'silent' }, signal: stop.signal });
    const detector = memoryIo({ env: { VIGIL_LOG: `sqlite:${file}`, VIGIL_PORT: '0', VIGIL_LOG_LEVEL: 'silent' }, signal: stop.signal });
    const runs = [main(['serve', 'ingest'], ingest.io), main(['serve', 'detector'], detector.io)];
    const url = await until(() => /ready on (\S+)/.exec(detector.stdout())?.[1]);
    // The two start concurrently (each command module is imported when run, ingest's key registry starts too): either may be ready first.
    await until(() => /ready on/.exec(ingest.stdout())?.[0]);
    expect(ingest.stdout()).toMatch(/^vigil ingest ready on http:\/\/127\.0\.0\.1:\d+\n$/);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { log: true, consumer: true } });
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('vigil_detector{counter="batches"}');
    stop.abort();
    expect(await Promise.all(runs)).toEqual([0, 0]);
  }, 30_000);
});

async function until<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
