import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorReply, startTestServer, type TestServer } from '@vigil/sdk/testing';
import { memoryIo } from '../../testing/index.ts';
import { main } from '../main.ts';
import { configPath } from './config-file.ts';
import { findCredentials } from './credentials.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const saveConfig = (url: string, apiKey: string) => {
  mkdirSync(join(dir, 'vigil'), { recursive: true });
  writeFileSync(join(dir, 'vigil', 'config.json'), JSON.stringify({ url, apiKey }));
};

describe('where client commands find the URL and key', () => {
  it('puts the config file under XDG_CONFIG_HOME, else ~/.config, else VIGIL_CONFIG wins', () => {
    expect(configPath(memoryIo({ env: { HOME: '/home/a' } }).io)).toBe('/home/a/.config/vigil/config.json');
    expect(configPath(memoryIo({ env: { HOME: '/home/a', XDG_CONFIG_HOME: '/x' } }).io)).toBe('/x/vigil/config.json');
    expect(configPath(memoryIo({ env: { XDG_CONFIG_HOME: '/x', VIGIL_CONFIG: '/c.json' } }).io)).toBe('/c.json');
    expect(configPath(memoryIo().io)).toBeUndefined();
  });

  it('takes flags over the environment over the saved login over the default', () => {
    saveConfig('http://saved.example:1/', 'saved-key');
    const env = { XDG_CONFIG_HOME: dir };
    expect(findCredentials({}, memoryIo({ env }).io)).toEqual({ url: 'http://saved.example:1', urlFrom: 'config', apiKey: 'saved-key', keyFrom: 'config' });
    expect(findCredentials({}, memoryIo({ env: { ...env, VIGIL_API_KEY: 'env-key' } }).io)).toMatchObject({ apiKey: 'env-key', keyFrom: 'env' });
    expect(findCredentials({ 'api-key': 'flag-key', url: 'http://f.example' }, memoryIo({ env: { ...env, VIGIL_URL: 'http://e.example' } }).io)).toMatchObject({
      url: 'http://f.example',
      apiKey: 'flag-key',
    });
    expect(findCredentials({}, memoryIo().io)).toEqual({ url: 'http://127.0.0.1:8080', urlFrom: 'default', apiKey: undefined, keyFrom: undefined });
  });

  it('never sends the saved key to another server', () => {
    saveConfig('http://saved.example:1', 'saved-key');
    const creds = findCredentials({ url: 'http://other.example' }, memoryIo({ env: { XDG_CONFIG_HOME: dir } }).io);
    expect(creds).toMatchObject({ url: 'http://other.example', apiKey: undefined });
  });

  it("uses a local vigil up's data/api-key (or $VIGIL_DATA/api-key) for a URL on this machine only", () => {
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'api-key'), 'k1-local\n');
    expect(findCredentials({}, memoryIo({ cwd: dir }).io)).toMatchObject({ apiKey: 'k1-local', keyFrom: 'data-dir' });
    expect(findCredentials({ url: 'http://remote.example' }, memoryIo({ cwd: dir }).io).apiKey).toBeUndefined();
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'api-key'), 'k1-other');
    expect(findCredentials({}, memoryIo({ cwd: dir, env: { VIGIL_DATA: 'elsewhere' } }).io).apiKey).toBe('k1-other');
  });

  it('names a broken config file and how to fix it (exit 2)', async () => {
    mkdirSync(join(dir, 'vigil'));
    writeFileSync(join(dir, 'vigil', 'config.json'), '{"url": "ftp://x", "apiKey": "k"}');
    const m = memoryIo({ env: { XDG_CONFIG_HOME: dir } });
    expect(await main(['summary'], m.io)).toBe(2);
    expect(m.stderr()).toContain(`the config file ${join(dir, 'vigil', 'config.json')} is invalid (url: must be an http(s) URL)`);
    writeFileSync(join(dir, 'vigil', 'config.json'), 'not json');
    const n = memoryIo({ env: { XDG_CONFIG_HOME: dir } });
    expect(await main(['summary'], n.io)).toBe(2);
    expect(n.stderr()).toContain("is not JSON; run 'vigil login <url>' again");
  });
});

describe('vigil login and vigil dashboard', () => {
  let server: TestServer;
  const summary = { tenant: 'acme', total: 0, healthy: 0, degraded: 0, unreachable: 0, killed: 0, stopped: 0, stalled: 0, deliverable: 0, flapping: 0 };
  beforeEach(async () => {
    server = await startTestServer((req) => (req.headers.authorization === 'Bearer good-key' ? { json: summary } : errorReply(401, 'VIGIL_ERR_UNAUTHORIZED', 'unknown API key')));
  });
  afterEach(() => server.close());

  it('checks the key, then saves URL and key readable by the owner only; client commands use them', async () => {
    const m = memoryIo({ env: { XDG_CONFIG_HOME: dir } });
    expect(await main(['login', `${server.url}/`, '--api-key', 'good-key'], m.io)).toBe(0);
    const file = join(dir, 'vigil', 'config.json');
    expect(m.stdout()).toBe(`Logged in to ${server.url} (tenant acme); saved to ${file}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'vigil')).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: server.url, apiKey: 'good-key' });
    const s = memoryIo({ env: { XDG_CONFIG_HOME: dir } });
    expect(await main(['summary'], s.io)).toBe(0);
    expect(s.stdout()).toBe('Summary: no agents\n');
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer good-key');
  });

  it('reads the key from stdin when no flag or variable gives one', async () => {
    const m = memoryIo({ env: { XDG_CONFIG_HOME: dir }, stdin: 'good-key\n' });
    expect(await main(['login', server.url, '--json'], m.io)).toBe(0);
    expect(JSON.parse(m.stdout())).toEqual({ url: server.url, tenant: 'acme', config: join(dir, 'vigil', 'config.json') });
  });

  it('refuses a key the server does not know, in one line, writing nothing', async () => {
    const m = memoryIo({ env: { XDG_CONFIG_HOME: dir } });
    expect(await main(['login', server.url, '--api-key', 'bad-key'], m.io)).toBe(1);
    expect(m.stderr()).toBe('vigil login: VIGIL_ERR_UNAUTHORIZED: unknown API key\n');
    expect(existsSync(join(dir, 'vigil', 'config.json'))).toBe(false);
    const n = memoryIo({ env: { XDG_CONFIG_HOME: dir } });
    expect(await main(['login'], n.io)).toBe(2);
    expect(n.stderr()).toContain('missing server URL');
    expect(await main(['login', 'localhost:8080', '--api-key', 'k'], n.io)).toBe(2);
    expect(n.stderr()).toContain("must be an http(s) URL, got 'localhost:8080'");
  });

  it('dashboard prints a URL with the key in the fragment and opens it on a terminal', async () => {
    const opened: string[] = [];
    const m = memoryIo({
      env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'good key/+' },
      stdoutIsTTY: true,
      openUrl: (url) => (opened.push(url), Promise.resolve(true)),
    });
    expect(await main(['dashboard'], m.io)).toBe(0);
    expect(m.stdout()).toBe(`${server.url}/dashboard#key=good%20key%2F%2B\n`);
    expect(opened).toEqual([`${server.url}/dashboard#key=good%20key%2F%2B`]);
    expect(m.stderr()).toContain('Opened in your browser');
    const quiet = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'k' }, stdoutIsTTY: true, openUrl: () => Promise.reject(new Error('must not open')) });
    expect(await main(['dashboard', '--no-open'], quiet.io)).toBe(0);
    expect(quiet.stdout()).not.toContain('?');
  });
});
