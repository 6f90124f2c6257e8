import type { FastifyPluginAsync } from 'fastify';
import underPressure from '@fastify/under-pressure';
import { OverloadedError } from './errors.ts';
import { shareWithParent } from './share-with-parent.ts';

/** Options of load shedding. */
export interface LoadSheddingOptions {
  /** Mean event-loop delay (ms, sampled each second) beyond which requests are refused; 0 turns shedding off. */
  readonly maxEventLoopDelayMs: number;
  /** `Retry-After` of the 503. */
  readonly retryAfterSeconds: number;
  /** How often the delay is sampled; default 1 s (under-pressure's). */
  readonly sampleIntervalMs?: number;
}

/** Routes that answer even when overloaded: probes and scrapes must see the process, not a 503 from it. */
const ALWAYS_SERVED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Sheds load when the event loop lags (`@fastify/under-pressure`): a request that arrives while the mean delay is over
 * the limit is answered `503 VIGIL_ERR_OVERLOADED` with `Retry-After` before its body is read, so an overloaded
 * process spends its time on the requests it already holds. Not encapsulated: register it on the root app.
 */
export const loadSheddingPlugin: FastifyPluginAsync<LoadSheddingOptions> = shareWithParent(async (app, options) => {
  if (options.maxEventLoopDelayMs <= 0) return;
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    retryAfter: options.retryAfterSeconds,
    ...(options.sampleIntervalMs === undefined ? {} : { sampleInterval: options.sampleIntervalMs }),
    pressureHandler: (request) => {
      if (ALWAYS_SERVED.has(request.routeOptions.url ?? '')) return undefined;
      return Promise.reject(new OverloadedError(options.retryAfterSeconds));
    },
  });
}, 'vigil-load-shedding');
