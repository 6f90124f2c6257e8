import type { FastifyInstance } from 'fastify';
import { routeSchema, tenantOf, type Gauge, type Scheduler } from '@vigil/http';
import type { ReadModel } from '@vigil/store';
import { StreamCursorPrunedError, TooManyStreamsError } from './errors.ts';
import { TransitionFeed, type FeedItem, type FeedSubscription } from './transition-feed.ts';

/** What the transition stream needs. */
export interface TransitionStreamDeps {
  readonly readModel: ReadModel;
  readonly scheduler: Scheduler;
  /** Shared fallback poll of the feed, for a read model written by another process. */
  readonly pollIntervalMs: number;
  readonly keepaliveMs: number;
  readonly maxClients: number;
  readonly retryAfterSeconds: number;
  readonly clients?: Gauge;
}

/**
 * A client that lets this much output pile up unread is cut off rather than held in memory; it reconnects with
 * `Last-Event-ID` and resumes without loss. Large enough for a burst of many thousand transitions in one batch.
 */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/**
 * `GET /v1/transitions/stream`: server-sent events of the caller's tenant's new transitions (`event: transition`,
 * `id` = transition id, `data: TransitionView`), in the order the read model folded them, pushed from one shared
 * feed (see TransitionFeed), with a `retry:` hint and a `: keepalive` comment so proxies keep the connection. With
 * `Last-Event-ID` the stream first sends every transition folded after that one, if it is still held; if it was
 * pruned the answer is 409 `VIGIL_ERR_STREAM_CURSOR_PRUNED`, so the client re-lists instead of missing some.
 */
export function registerTransitionStream(app: FastifyInstance, deps: TransitionStreamDeps): void {
  const { readModel, scheduler } = deps;
  const feed = new TransitionFeed({ readModel, scheduler, pollIntervalMs: deps.pollIntervalMs, logger: app.log.child({ module: 'transition-feed' }) });
  const open = new Set<() => void>();
  // preClose, not onClose: fastify waits for open connections before onClose, and a stream never ends by itself.
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
    await feed.idle();
  });

  app.get(
    '/v1/transitions/stream',
    {
      config: { role: 'operator' },
      schema: {
        ...routeSchema({
          summary: "Server-sent events of the tenant's new transitions",
          description:
            'Pushed as the projector folds them, in fold order, never truncated. Reconnect with `Last-Event-ID: <transition id>` to receive every transition after it; 409 `VIGIL_ERR_STREAM_CURSOR_PRUNED` when that one is no longer held (re-list, then reconnect without the header).',
          tags: ['transitions'],
        }),
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      if (open.size >= deps.maxClients) throw new TooManyStreamsError(deps.maxClients, deps.retryAfterSeconds);
      const lastEventId = request.headers['last-event-id'];
      let afterSeq: number | null = null;
      if (typeof lastEventId === 'string' && lastEventId !== '') {
        afterSeq = await readModel.transitionSeq(tenant, lastEventId);
        if (afterSeq === null) throw new StreamCursorPrunedError(lastEventId);
      }

      const log = request.log.child({ module: 'transition-stream', tenant });
      let closed = false;
      let subscription: FeedSubscription | null = null;
      let cancelKeepalive: (() => void) | null = null;
      const res = reply.raw;

      const send = (text: string): void => {
        if (closed) return;
        res.write(text);
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          log.warn('transition stream client is not reading; closing it (it can resume with Last-Event-ID)');
          close();
        }
      };
      const deliver = (items: readonly FeedItem[]): void => {
        send(items.length === 1 ? items[0]!.frame : items.map((i) => i.frame).join(''));
      };

      function close(): void {
        if (closed) return;
        closed = true;
        subscription?.close();
        cancelKeepalive?.();
        open.delete(close);
        deps.clients?.dec();
        res.end();
      }
      open.add(close);
      deps.clients?.inc();

      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.on('close', close);
      try {
        subscription = await feed.subscribe(tenant, afterSeq, deliver);
      } catch (err) {
        log.warn({ err }, 'could not start the transition stream');
        close();
        return;
      }
      if (closed) {
        subscription.close();
        return;
      }
      // Written only once subscribed: a client that saw `connected` misses nothing folded afterwards.
      res.write(`retry: ${deps.retryAfterSeconds * 1000}\n: connected\n\n`);
      cancelKeepalive = scheduler.every(deps.keepaliveMs, () => send(': keepalive\n\n'));
    },
  );
}
