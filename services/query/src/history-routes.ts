import type { FastifyInstance } from 'fastify';
import { HistoryEntry, agentStreamName, pageOf, type Page } from '@vigil/contracts';
import { parseInput, routeSchema, tenantOf } from '@vigil/http';
import { InvalidCursorError, type EventStore, type ReadModel, type StoredEvent } from '@vigil/store';
import { AgentNotFoundError, HistoryUnavailableError } from './errors.ts';
import { AgentParams, DEFAULT_PAGE_SIZE, PageQuery } from './request-schemas.ts';

const HistoryPage = pageOf(HistoryEntry);

/** An opaque cursor: the revision the next (older) page starts below. */
function encodeHistoryCursor(revision: number): string {
  return Buffer.from(JSON.stringify({ r: revision }), 'utf8').toString('base64url');
}

function decodeHistoryCursor(cursor: string): number {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(cursor);
  }
  const r = typeof value === 'object' && value !== null ? (value as { r?: unknown }).r : undefined;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) throw new InvalidCursorError(cursor);
  return r;
}

/** A stored event as a history entry; `at` is the event's own time (kept in metadata by the projector). */
function toEntry(event: StoredEvent): HistoryEntry {
  const time = event.metadata['time'];
  return {
    revision: event.revision,
    type: event.type,
    at: typeof time === 'string' ? time : new Date(event.createdAt).toISOString(),
    data: { ...event.data },
  };
}

/**
 * `GET /v1/agents/:id/history`: the agent's event-store stream, newest first, paged — what the projector appended of
 * its lifecycle, transitions and metric summaries, within the stream's retention. The store is read only here; the
 * read model answers everything else.
 */
export function registerHistoryRoutes(app: FastifyInstance, deps: { readonly readModel: ReadModel; readonly store?: EventStore }): void {
  app.get(
    '/v1/agents/:id/history',
    {
      config: { role: 'operator' },
      schema: routeSchema({
        summary: "An agent's history from the event store, newest first",
        description: 'Lifecycle facts, transitions and metric summaries as the agent\'s stream holds them (`revision`, `type`, `at`, `data`); paginate with `cursor`.',
        tags: ['agents'],
        params: AgentParams,
        querystring: PageQuery,
        response: { 200: HistoryPage },
      }),
    },
    async (request): Promise<Page<HistoryEntry>> => {
      const tenant = tenantOf(request);
      const { id } = parseInput(AgentParams, request.params);
      const q = parseInput(PageQuery, request.query);
      if (deps.store === undefined) throw new HistoryUnavailableError();
      const limit = q.limit ?? DEFAULT_PAGE_SIZE;
      const below = q.cursor === undefined ? undefined : decodeHistoryCursor(q.cursor);
      const events = await deps.store.readStream(agentStreamName(tenant, id), {
        direction: 'backwards',
        ...(below === undefined ? {} : { fromRevision: below - 1 }),
        maxCount: limit + 1,
      });
      if (events.length === 0 && below === undefined && (await deps.readModel.getAgent(tenant, id)) === null) throw new AgentNotFoundError(id);
      const page = events.slice(0, limit);
      const last = page[page.length - 1];
      return { items: page.map(toEntry), nextCursor: events.length > limit && last !== undefined ? encodeHistoryCursor(last.revision) : null };
    },
  );
}
