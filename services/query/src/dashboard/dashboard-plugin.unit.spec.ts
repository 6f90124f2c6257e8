import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildQueryApp } from '../build-app.ts';
import { queryConfig } from '../config.ts';
import { createHarness, type Harness } from '../../../../test/support/service-harness.ts';
import { loadDashboardBundle } from './dashboard-bundle.ts';
import { DASHBOARD_CSP, registerDashboard } from './dashboard-plugin.ts';

let dir: string;
let app: FastifyInstance;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-dashboard-bundle-'));
});

afterEach(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A bundle as the build writes it, with known contents. */
function fakeBuild(): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dashboard.js'), 'document.body.dataset.app = "ready";\n');
  writeFileSync(join(dir, 'dashboard.css'), 'body { margin: 0 }\n');
  writeFileSync(join(dir, 'dashboard.js.map'), '{}');
  writeFileSync(join(dir, 'notes.exe'), 'not served');
}

async function appWith(bundleDir: string): Promise<FastifyInstance> {
  app = Fastify({ logger: false });
  registerDashboard(app, { bundle: loadDashboardBundle(bundleDir) });
  await app.ready();
  return app;
}

/** The CSP header as directive -> sources. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name = '', ...sources]) => [name, sources]));
}

describe('the dashboard shell and bundle', () => {
  it('serves the shell without an API key, under a CSP that allows no inline code and no other origin', async () => {
    fakeBuild();
    await appWith(dir);
    for (const url of ['/dashboard', '/dashboard/', '/dashboard/agents/agent-7']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toMatch(/^<!doctype html>/);
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    }
    const csp = directives(DASHBOARD_CSP);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    const { body } = await app.inject({ method: 'GET', url: '/dashboard' });
    // Every script and stylesheet is a file of this process; no inline code, no other host.
    expect(body).not.toMatch(/<script>|<style>|\son[a-z]+=/i);
    expect(body).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    const refs = [...body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs).toEqual(['data:,', expect.stringMatching(/^\/dashboard\/assets\/dashboard\.css\?v=/), expect.stringMatching(/^\/dashboard\/assets\/dashboard\.js\?v=/)]);
  });

  it('serves the assets from memory with their type and a validator, and nothing else from the directory', async () => {
    fakeBuild();
    await appWith(dir);
    const js = await app.inject({ method: 'GET', url: '/dashboard/assets/dashboard.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toContain('dataset.app');
    const etag = js.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.inject({ method: 'GET', url: '/dashboard/assets/dashboard.js', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect((await app.inject({ method: 'GET', url: '/dashboard/assets/dashboard.css' })).headers['content-type']).toBe('text/css; charset=utf-8');
    for (const file of ['notes.exe', '..%2Fpackage.json', 'missing.js']) {
      const res = await app.inject({ method: 'GET', url: `/dashboard/assets/${file}` });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('VIGIL_ERR_ROUTE_NOT_FOUND');
    }
  });

  it('answers a clear 503 page, never a blank one, when the bundle was not built', async () => {
    await appWith(join(dir, 'nothing-here'));
    const res = await app.inject({ method: 'GET', url: '/dashboard' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('The Vigil dashboard is not built');
    expect(res.body).toContain('npm run build:dashboard');
    expect(res.body).toContain('dashboard.js and dashboard.css not found in');
  });
});

describe('the query service', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('serves the built dashboard next to the API, outside its bearer auth', async () => {
    h = await createHarness();
    app = buildQueryApp({ log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger }, queryConfig());
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/dashboard' });
    // 200 after `npm run build:dashboard` (npm ci runs it); 503 with the build hint otherwise — never a 401.
    expect([200, 503]).toContain(res.statusCode);
    expect((await app.inject({ method: 'GET', url: '/v1/agents' })).statusCode).toBe(401);
  });
});
