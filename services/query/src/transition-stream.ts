import type { FastifyInstance } from 'fastify';
import type { TransitionView } from '@vigil/contracts';
import { routeSchema, tenantOf, type Gauge, type Scheduler } from '@vigil/http';
import type { ReadModel } from '@vigil/store';
import { TooManyStreamsError } from './errors.ts';
import { UnseenTransitions } from './unseen-transitions.ts';

/** What the transition stream needs. */
export interface TransitionStreamDeps {
  readonly readModel: ReadModel;
  readonly scheduler: Scheduler;
  readonly pollIntervalMs: number;
  readonly keepaliveMs: number;
  readonly maxClients: number;
  readonly retryAfterSeconds: number;
  readonly clients?: Gauge;
}

/** Transitions read per poll; more pages are read only while every item of a page is new. */
const POLL_PAGE = 100;
const MAX_PAGES_PER_POLL = 10;
/** A client that does not read this much buffered output is cut off rather than held in memory. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

function frame(t: TransitionView): string {
  return `id: ${t.id}\nevent: transition\ndata: ${JSON.stringify(t)}\n\n`;
}

/**
 * `GET /v1/transitions/stream`: server-sent events of the caller's tenant's new transitions (`event: transition`,
 * `id`, `data: TransitionView`), found by polling the read model, plus a `: keepalive` comment so proxies keep the
 * connection. With `Last-Event-ID` the stream first replays what the client missed, if that id is still recent.
 */
export function registerTransitionStream(app: FastifyInstance, deps: TransitionStreamDeps): void {
  const { readModel, scheduler } = deps;
  const open = new Set<() => void>();
  // preClose, not onClose: fastify waits for open connections before onClose, and a stream never ends by itself.
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });

  app.get(
    '/v1/transitions/stream',
    {
      config: { role: 'operator' },
      schema: {
        ...routeSchema({ summary: "Server-sent events of the tenant's new transitions", tags: ['transitions'] }),
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      if (open.size >= deps.maxClients) throw new TooManyStreamsError(deps.maxClients, deps.retryAfterSeconds);
      const unseen = new UnseenTransitions();
      const first = await readModel.listTransitions(tenant, { limit: POLL_PAGE });
      const lastEventId = request.headers['last-event-id'];
      const resumeAt = typeof lastEventId === 'string' ? first.items.findIndex((t) => t.id === lastEventId) : -1;
      const missed = resumeAt > 0 ? unseen.take(first.items.slice(0, resumeAt)) : [];
      unseen.markSeen(first.items);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      for (const t of missed) res.write(frame(t));

      const log = request.log.child({ module: 'transition-stream', tenant });
      let polling = false;
      let failing = false;
      let closed = false;

      const send = (text: string): void => {
        if (closed) return;
        res.write(text);
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          log.warn('transition stream client is not reading; closing it');
          close();
        }
      };

      const poll = async (): Promise<void> => {
        const fresh: TransitionView[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < MAX_PAGES_PER_POLL; pages++) {
          const page = await readModel.listTransitions(tenant, { limit: POLL_PAGE, ...(cursor ? { cursor } : {}) });
          const taken = unseen.take(page.items);
          fresh.unshift(...taken);
          // Only a page that was new from end to end may hide more new transitions behind it.
          if (taken.length < page.items.length || page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        for (const t of fresh) send(frame(t));
      };

      const cancelPoll = scheduler.every(deps.pollIntervalMs, () => {
        if (polling || closed) return;
        polling = true;
        poll()
          .then(() => {
            if (failing) log.info('read model reachable again');
            failing = false;
          })
          .catch((err: unknown) => {
            if (!failing) log.warn({ err }, 'could not poll transitions; retrying');
            failing = true;
          })
          .finally(() => {
            polling = false;
          });
      });
      const cancelKeepalive = scheduler.every(deps.keepaliveMs, () => send(': keepalive\n\n'));

      function close(): void {
        if (closed) return;
        closed = true;
        cancelPoll();
        cancelKeepalive();
        open.delete(close);
        deps.clients?.dec();
        res.end();
      }
      open.add(close);
      deps.clients?.inc();
      res.on('close', close);
    },
  );
}
