import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildQueryApp } from '../build-app.ts';
import { queryConfig } from '../config.ts';
import { createHarness, type Harness } from '../../../../test/support/service-harness.ts';

let h: Harness;
let app: FastifyInstance;

beforeEach(async () => {
  h = await createHarness();
  app = buildQueryApp({ log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, metrics: h.metrics }, queryConfig());
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await h.close();
});

/** The CSP header as directive -> sources. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name = '', ...sources]) => [name, sources]));
}

function inline(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

describe('GET /dashboard', () => {
  it('serves the page as HTML without an API key, since the page itself holds no data', async () => {
    const res = await app.inject({ method: 'GET', url: '/dashboard' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toMatch(/^<!doctype html>/);
    expect(res.body).toContain('<title>Vigil dashboard</title>');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refers to no external URL: the page must work on a machine without internet', async () => {
    const { body } = await app.inject({ method: 'GET', url: '/dashboard' });
    expect(body).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    expect(body).not.toMatch(/<(?:script|link|img|iframe)[^>]*\s(?:src|href)=["'](?!data:)/i);
  });

  it('sends a CSP that allows this origin and the page’s own inline style and script, nothing else', async () => {
    const res = await app.inject({ method: 'GET', url: '/dashboard' });
    const csp = directives(String(res.headers['content-security-policy']));
    const [script] = inline(res.body, 'script');
    const [style] = inline(res.body, 'style');
    expect(inline(res.body, 'script')).toHaveLength(1);
    expect(inline(res.body, 'style')).toHaveLength(1);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'", sha256(script ?? '')]);
    expect(csp.get('style-src')).toEqual(["'self'", sha256(style ?? '')]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    for (const sources of csp.values()) {
      for (const source of sources) expect(source).toMatch(/^(?:'self'|'none'|data:|'sha256-[A-Za-z0-9+/]+=*')$/);
    }
  });

  it('ships a script that parses', async () => {
    const { body } = await app.inject({ method: 'GET', url: '/dashboard' });
    const [script] = inline(body, 'script');
    expect(() => new Script(script ?? '')).not.toThrow();
  });

  it('labels every form control and heads every table column', async () => {
    const { body } = await app.inject({ method: 'GET', url: '/dashboard' });
    for (const [, id] of body.matchAll(/<(?:input|select)[^>]*\sid="([^"]+)"/g)) expect(body).toContain(`<label for="${id}"`);
    expect(body.match(/<th scope="col">/g)).toHaveLength(6);
  });

  it('stays out of the OpenAPI document and leaves the API behind bearer auth', async () => {
    const doc = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(Object.keys(doc.json<{ paths: Record<string, unknown> }>().paths)).not.toContain('/dashboard');
    const api = await app.inject({ method: 'GET', url: '/v1/fleet/summary' });
    expect(api.statusCode).toBe(401);
  });
});
