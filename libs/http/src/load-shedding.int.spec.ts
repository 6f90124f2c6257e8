import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { vigilErrorHandler } from './error-handler.ts';
import { loadSheddingPlugin } from './load-shedding.ts';

/**
 * Load shedding on a real event loop (this tier, not unit: it needs the loop to lag for real). The loop is blocked on
 * purpose, then requests must be refused with 503 VIGIL_ERR_OVERLOADED and Retry-After, while /healthz still answers.
 */
let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

function blockLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: the lag under-pressure must see
  }
}

describe('load shedding', () => {
  it('answers 503 with Retry-After while the event loop lags, and serves /healthz', async () => {
    app = Fastify();
    app.setErrorHandler(vigilErrorHandler);
    await app.register(loadSheddingPlugin, { maxEventLoopDelayMs: 50, retryAfterSeconds: 3, sampleIntervalMs: 20 });
    app.get('/v1/work', async () => ({ ok: true }));
    app.get('/healthz', async () => ({ status: 'ok' }));
    await app.ready();
    expect((await app.inject({ method: 'GET', url: '/v1/work' })).statusCode).toBe(200);
    let shed = null;
    for (let attempt = 0; attempt < 20 && shed === null; attempt++) {
      blockLoop(300);
      await new Promise((resolve) => setTimeout(resolve, 30));
      const res = await app.inject({ method: 'GET', url: '/v1/work' });
      if (res.statusCode === 503) shed = res;
    }
    expect(shed?.headers['retry-after']).toBe('3');
    expect(shed?.json()).toEqual({ error: { code: 'VIGIL_ERR_OVERLOADED', message: 'the server is overloaded (event loop lagging); retry later' } });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('does nothing with a limit of 0', async () => {
    app = Fastify();
    await app.register(loadSheddingPlugin, { maxEventLoopDelayMs: 0, retryAfterSeconds: 1 });
    app.get('/v1/work', async () => ({ ok: true }));
    blockLoop(200);
    expect((await app.inject({ method: 'GET', url: '/v1/work' })).statusCode).toBe(200);
  });
});
