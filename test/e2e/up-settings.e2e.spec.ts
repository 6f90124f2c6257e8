import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.ts';
import { Cleanup } from './support/cleanup.ts';
import { tempDataDir } from './support/temp-dir.ts';
import { runVigilCli } from './support/vigil-cli.ts';
import { startServe } from '../notifier/support/serve-process.ts';
import { overloadedAfterStop } from './support/overloaded.ts';
import type { SpawnedProcess } from './support/spawned-process.ts';
import { startVigilUp } from './support/vigil-up.ts';
import { waitUntil } from './support/wait-for.ts';

/**
 * Every ingest and query setting the README lists for `vigil up` takes effect in it (it used to pass the services'
 * defaults whatever the environment said): one real `vigil up` per setting, and the effect observed from outside.
 * `VIGIL_MAX_EVENT_LOOP_DELAY` is also checked in `vigil serve ingest` and `vigil serve query`.
 */
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function up(env: Record<string, string>): Promise<{ api: ApiClient; process: SpawnedProcess }> {
  const started = await startVigilUp(cleanup, { dataDir: tempDataDir(cleanup, 'vigil-settings'), env });
  return { api: new ApiClient(started.url, started.apiKey), process: started.process };
}

/** Reads a transition stream until `until` holds for the text received, or `timeoutMs`; returns the text. */
async function streamText(api: ApiClient, until: (text: string) => boolean, timeoutMs: number): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(`${api.url}/v1/transitions/stream`, { headers: { authorization: `Bearer ${api.apiKey}` }, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return text;
}

const padding = (bytes: number) => 'x'.repeat(bytes);

/** A request to `url` is shed after the process's event loop was blocked: 503 VIGIL_ERR_OVERLOADED with `Retry-After`. */
async function expectShed(process: SpawnedProcess, url: string, init: RequestInit, retryAfter: string): Promise<void> {
  const shed = await overloadedAfterStop(process, url, init);
  expect(shed, 'no 503 VIGIL_ERR_OVERLOADED after the event loop was blocked').not.toBeNull();
  expect(shed).toEqual({ body: { error: { code: 'VIGIL_ERR_OVERLOADED', message: 'the server is overloaded (event loop lagging); retry later' } }, retryAfter });
}

const effects: ReadonlyArray<{ setting: string; env: Record<string, string>; observe: (api: ApiClient, process: SpawnedProcess) => Promise<void> }> = [
  {
    setting: 'VIGIL_INGEST_BODY_LIMIT',
    env: { VIGIL_INGEST_BODY_LIMIT: '2kb' },
    observe: async (api) => {
      expect((await api.request('POST', '/v1/heartbeats', { agentId: 'a1', labels: { pad: padding(200) } })).status).toBe(202);
      const big = await api.request<{ error: { code: string } }>('POST', '/v1/heartbeats', { agentId: 'a1', labels: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, padding(250)])) });
      expect([big.status, big.body.error.code]).toEqual([413, 'VIGIL_ERR_BODY_TOO_LARGE']);
    },
  },
  {
    setting: 'VIGIL_QUERY_BODY_LIMIT',
    env: { VIGIL_QUERY_BODY_LIMIT: '1kb' },
    observe: async (api) => {
      const big = await api.request<{ error: { code: string } }>('POST', '/v1/agents/a1/kill', { reason: padding(2000) });
      expect([big.status, big.body.error.code]).toEqual([413, 'VIGIL_ERR_BODY_TOO_LARGE']);
    },
  },
  {
    setting: 'VIGIL_SSE_MAX_CLIENTS and VIGIL_RETRY_AFTER',
    env: { VIGIL_SSE_MAX_CLIENTS: '1', VIGIL_RETRY_AFTER: '7s' },
    observe: async (api) => {
      const controller = new AbortController();
      const headers = { authorization: `Bearer ${api.apiKey}` };
      const first = await fetch(`${api.url}/v1/transitions/stream`, { headers, signal: controller.signal });
      try {
        expect(first.status).toBe(200);
        const second = await fetch(`${api.url}/v1/transitions/stream`, { headers, signal: AbortSignal.timeout(10_000) });
        expect(second.status).toBe(503);
        expect(second.headers.get('retry-after')).toBe('7');
        expect(((await second.json()) as { error: { code: string } }).error.code).toBe('VIGIL_ERR_TOO_MANY_STREAMS');
      } finally {
        controller.abort();
      }
    },
  },
  {
    setting: 'VIGIL_SSE_KEEPALIVE and VIGIL_SSE_POLL_INTERVAL',
    env: { VIGIL_SSE_KEEPALIVE: '200ms', VIGIL_SSE_POLL_INTERVAL: '50ms' },
    observe: async (api) => {
      // The default keepalive is 15 s: two within a 10 s bound can only come from the setting.
      const text = await streamText(api, (t) => t.split(': keepalive').length > 2, 10_000);
      expect(text.split(': keepalive').length).toBeGreaterThan(2);
    },
  },
  {
    setting: 'VIGIL_RATE_LIMIT_INGEST',
    env: { VIGIL_RATE_LIMIT_INGEST: '2' },
    observe: async (api) => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => api.request<{ error?: { code: string } }>('POST', '/v1/heartbeats', { agentId: 'a1' })));
      const refused = answers.filter((a) => a.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]!.body.error?.code).toBe('VIGIL_ERR_RATE_LIMITED');
    },
  },
  {
    setting: 'VIGIL_RATE_LIMIT_CONTROL',
    env: { VIGIL_RATE_LIMIT_CONTROL: '1' },
    observe: async (api) => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => api.request('PUT', '/v1/thresholds', { degradedAfter: null })));
      expect(answers.map((a) => a.status)).toContain(429);
      // Reads are never limited.
      for (let i = 0; i < 5; i++) expect((await api.request('GET', '/v1/fleet/summary')).status).toBe(200);
    },
  },
  {
    setting: 'VIGIL_MAX_EVENT_LOOP_DELAY',
    env: { VIGIL_MAX_EVENT_LOOP_DELAY: '1ms', VIGIL_RETRY_AFTER: '9s' },
    observe: async (api, process) => {
      // Shed at 1 ms of lag (the default of 1 s is never reached by the block, see overloadedAfterStop).
      await expectShed(process, `${api.url}/v1/fleet/summary`, { headers: { authorization: `Bearer ${api.apiKey}` } }, '9');
    },
  },
  {
    setting: 'VIGIL_TICK_INTERVAL',
    env: { VIGIL_TICK_INTERVAL: '100ms' },
    observe: async (api) => {
      // One partition (a new directory's default) × 10 intervals a second: 60 ticks within 15 s only at 100 ms (at 1 s
      // they would take a minute).
      await waitUntil('ticks every 100 ms', () => api.metricLines('vigil_ticks_written_total'), (lines) => Number(lines[0]?.split(' ')[1] ?? 0) >= 60, { timeoutMs: 15_000 });
    },
  },
];

describe('vigil up honours the ingest and query settings', () => {
  it.each(effects)('$setting', async ({ env, observe }) => {
    const started = await up(env);
    await observe(started.api, started.process);
  });

  it.each([
    [{ VIGIL_INGEST_BODY_LIMIT: 'huge' }, /VIGIL_INGEST_BODY_LIMIT/],
    [{ VIGIL_SSE_KEEPALIVE: '100ms', VIGIL_SSE_POLL_INTERVAL: '1s' }, /VIGIL_SSE_KEEPALIVE.*longer than/],
    [{ VIGIL_RETRY_AFTER: '0s' }, /VIGIL_RETRY_AFTER.*at least 1s/],
    [{ VIGIL_TICKS: 'false' }, /VIGIL_TICKS.*only clock/],
    [{ VIGIL_TICK_INTERVAL: '2s' }, /VIGIL_TICK_INTERVAL.*slower than the window/],
    [{ VIGIL_RATE_LIMIT_INGEST: '-1' }, /VIGIL_RATE_LIMIT_INGEST/],
  ])('refuses %o before it listens', async (env, message) => {
    const run = await runVigilCli(['up', '--port', '0', '--data', tempDataDir(cleanup, 'vigil-settings-bad')], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('vigil up: partitions of the embedded log', () => {
  /** Partitions of the platform's two topics in a stopped data directory's file. */
  const partitionsIn = (dataDir: string): Record<string, number> => {
    const db = new Database(join(dataDir, 'vigil.db'), { readonly: true });
    try {
      const rows = db.prepare("SELECT topic, partitions FROM log_topics WHERE topic IN ('vigil.agent-events', 'vigil.status-transitions')").all() as { topic: string; partitions: number }[];
      return Object.fromEntries(rows.map((r) => [r.topic, r.partitions]));
    } finally {
      db.close();
    }
  };
  const stop = async (process: SpawnedProcess): Promise<void> => {
    process.signal('SIGTERM');
    expect(await process.waitForExit(30_000)).toEqual({ code: 0, signal: null });
  };

  it('gives a new directory one, keeps what an existing one has, and refuses another count for it', async () => {
    const fresh = tempDataDir(cleanup, 'vigil-partitions-new');
    await stop((await startVigilUp(cleanup, { dataDir: fresh })).process);
    expect(partitionsIn(fresh)).toEqual({ 'vigil.agent-events': 1, 'vigil.status-transitions': 1 });

    const older = tempDataDir(cleanup, 'vigil-partitions-4');
    await stop((await startVigilUp(cleanup, { dataDir: older, args: ['--partitions', '4'] })).process);
    // Restarted without the flag, as after an upgrade: it takes the directory's 4, beats and all.
    const again = await startVigilUp(cleanup, { dataDir: older });
    const api = new ApiClient(again.url, again.apiKey);
    expect(await api.heartbeat('p1')).toMatchObject({ accepted: 1 });
    await stop(again.process);
    expect(partitionsIn(older)).toEqual({ 'vigil.agent-events': 4, 'vigil.status-transitions': 4 });

    const refused = await runVigilCli(['up', '--port', '0', '--data', older, '--partitions', '2']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/partitions/i);
    expect(partitionsIn(older)).toEqual({ 'vigil.agent-events': 4, 'vigil.status-transitions': 4 });
  });
});

describe('vigil serve honours VIGIL_MAX_EVENT_LOOP_DELAY', () => {
  it('sheds load at the configured event-loop delay in ingest and in query', async () => {
    const dir = tempDataDir(cleanup, 'vigil-serve-shedding');
    const adminKey = `vgl_${randomBytes(24).toString('base64url')}`;
    // The SQLite log (processes on one machine): what is under test is the setting's path to each service's app.
    const env = {
      VIGIL_LOG: `sqlite:${join(dir, 'log.db')}`,
      VIGIL_READ_MODEL: `sqlite:${join(dir, 'read.db')}`,
      VIGIL_ADMIN_KEY: adminKey,
      VIGIL_MAX_EVENT_LOOP_DELAY: '1ms',
      VIGIL_RETRY_AFTER: '9s',
    };
    const ingest = await startServe(cleanup, 'ingest', env); // first: it creates the topics query waits for
    const query = await startServe(cleanup, 'query', env);
    const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    await expectShed(ingest.process, `${ingest.url}/v1/heartbeats`, { method: 'POST', headers, body: JSON.stringify({ agentId: 'shed-probe' }) }, '9');
    await expectShed(query.process, `${query.url}/v1/fleet/summary`, { headers }, '9');
  });
});
