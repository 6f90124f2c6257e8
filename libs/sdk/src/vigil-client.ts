import { z } from 'zod';
import { AgentView, DeliveryView, FleetSummary, HeartbeatResponse, HistoryEntry, MetricPoint, RecentMetricsResponse, RetentionView, TransitionView, WebhookCreated, WebhookView, WhoAmI, pageOf } from '@vigil/contracts';
import type { WebhookEventName, WebhookFormat } from '@vigil/contracts';
import type { HeartbeatRequest, MetricSample, Page, Progress } from '@vigil/contracts';
import { VigilApiError } from './errors.ts';
import { HeartbeatMesh } from './heartbeat-mesh.ts';
import type { StopOptions } from './heartbeat-session.ts';
import { HttpTransport } from './http-transport.ts';
import type { QueryValues } from './http-transport.ts';
import { silentLogger } from './logger.ts';
import type { VigilLogger } from './logger.ts';
import { DEFAULT_TIMEOUT_MS, VigilClientOptionsSchema, usageErrorFrom } from './options.ts';
import type { VigilClientOptions } from './options.ts';
import { parseSse } from './sse-parser.ts';
import type { AgentFilter, FetchResponse, MetricRange, MetricResolution, PageOptions, ThresholdsInput } from './types.ts';

const AgentPage = pageOf(AgentView);
const TransitionPage = pageOf(TransitionView);
const HistoryPage = pageOf(HistoryEntry);
const WebhookPage = pageOf(WebhookView);
const DeliveryPage = pageOf(DeliveryView);
const TestAccepted = z.object({ accepted: z.literal(true), deliveryId: z.string() });
// The metrics endpoint answers a page like every list; a bare array is accepted too, being unambiguous.
const MetricPoints = z.union([z.array(MetricPoint), z.object({ items: z.array(MetricPoint) }).transform((p) => p.items)]);

/** Who did it and why, for kill and resume (the audit trail operators see). */
export interface ControlOptions {
  /** Who asks; the server records the API key's identity when absent. */
  readonly by?: string;
}

/** A webhook to create: where, what about, in which format (`routingKey` for PagerDuty). */
export interface WebhookInput {
  readonly url: string;
  readonly events?: readonly WebhookEventName[];
  readonly format?: WebhookFormat;
  readonly routingKey?: string;
}

/** Options of `streamTransitions`. */
export interface StreamOptions {
  /** Ends the stream (the iterator then finishes). */
  readonly signal?: AbortSignal;
  /** Resume after this event id (the SSE `Last-Event-ID`). */
  readonly lastEventId?: string;
}

/** A transition from the live stream, with its SSE id for resuming. */
export interface StreamedTransition {
  readonly transition: TransitionView;
  readonly eventId: string | undefined;
}

const enc = encodeURIComponent;

/**
 * The Vigil API client: agents use `mesh.startHeartbeat()`, operators and tools the other calls. Every answer is
 * validated against the schemas of `@vigil/contracts`; every failure is a `VigilApiError`.
 */
export class VigilClient {
  /** Heartbeats of this process. */
  readonly mesh: HeartbeatMesh;
  readonly #http: HttpTransport;
  readonly #logger: VigilLogger;

  constructor(options: VigilClientOptions) {
    const parsed = VigilClientOptionsSchema.safeParse(options);
    if (!parsed.success) throw usageErrorFrom(parsed.error, 'VigilClient');
    const now = options.now ?? Date.now;
    this.#logger = options.logger ?? silentLogger;
    this.#http = new HttpTransport({
      baseUrl: options.url,
      apiKey: options.apiKey,
      // Looked up per call, not captured, so test doubles and late polyfills of the global fetch apply.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      now,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    this.mesh = new HeartbeatMesh(
      {
        heartbeat: (input) => this.heartbeat(input),
        goodbye: (agentId, body) => this.goodbye(agentId, body),
        now,
        random: options.random ?? Math.random,
        logger: this.#logger,
      },
      options.agentId,
    );
  }

  /** Records one unit of work on this process's heartbeat (see `mesh.reportMetric`). */
  reportMetric(sample: MetricSample, agentId?: string): void {
    this.mesh.reportMetric(sample, agentId);
  }

  /** Records progress on this process's heartbeat (see `mesh.progress`). */
  progress(progress: Progress, agentId?: string): void {
    this.mesh.progress(progress, agentId);
  }

  /** Counts `work` as in flight until it settles, then completed, on this process's heartbeat (see `mesh.track`). */
  track<T>(work: PromiseLike<T>, options: { agentId?: string; metric?: boolean } = {}): PromiseLike<T> {
    return this.mesh.track(work, options);
  }

  /** Stops every heartbeat of this client and says goodbye, within `timeoutMs` (5 s). Idempotent, never rejects. */
  stop(options: StopOptions = {}): Promise<void> {
    return this.mesh.stop(undefined, options);
  }

  /** `POST /v1/heartbeats`: one heartbeat or a batch; the answer says, per agent, whether it is killed. */
  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    return this.#http.request({ method: 'POST', path: '/v1/heartbeats', body: request, schema: HeartbeatResponse });
  }

  /** `POST /v1/agents/:id/goodbye`: the agent is shutting down on purpose (status `stopped`, never alerts). */
  async goodbye(agentId: string, body: { instanceId?: string; reason?: string } = {}): Promise<void> {
    await this.#http.request({ method: 'POST', path: `/v1/agents/${enc(agentId)}/goodbye`, body });
  }

  /** `POST /v1/agents/:id/kill`: the agent stays killed, whatever its beats say, until resumed. */
  async kill(agentId: string, reason: string, options: ControlOptions = {}): Promise<void> {
    await this.#http.request({ method: 'POST', path: `/v1/agents/${enc(agentId)}/kill`, body: { reason, ...by(options) } });
  }

  /** `POST /v1/agents/:id/resume`: lifts a kill (the server answers 409 when the agent is not killed). */
  async resume(agentId: string, reason?: string, options: ControlOptions = {}): Promise<void> {
    await this.#http.request({
      method: 'POST',
      path: `/v1/agents/${enc(agentId)}/resume`,
      body: { ...(reason === undefined ? {} : { reason }), ...by(options) },
    });
  }

  /**
   * `DELETE /v1/agents/:id`: forget the agent (its status, transitions, metrics and history go; if it beats again it
   * comes back as new). 404 when the tenant has no such agent.
   */
  async forget(agentId: string, options: ControlOptions & { readonly reason?: string } = {}): Promise<void> {
    const body = { ...(options.reason === undefined ? {} : { reason: options.reason }), ...by(options) };
    await this.#http.request({ method: 'DELETE', path: `/v1/agents/${enc(agentId)}`, ...(Object.keys(body).length === 0 ? {} : { body }) });
  }

  /** `PUT /v1/retention`: stopped or unreachable agents are forgotten after `forgetAfter` (e.g. `"7d"`); null: the default. */
  async setRetention(forgetAfter: string | number | null): Promise<void> {
    await this.#http.request({ method: 'PUT', path: '/v1/retention', body: { forgetAfter } });
  }

  /**
   * `GET /v1/retention`: how long the tenant's agents may stay stopped or unreachable before they are forgotten, and
   * whether that is the tenant's own setting or the platform default.
   */
  retention(): Promise<RetentionView> {
    return this.#http.request({ method: 'GET', path: '/v1/retention', schema: RetentionView });
  }

  /** `GET /v1/agents/:id/history`: one page of the agent's event-store history, newest first. */
  historyPage(agentId: string, page: PageOptions = {}): Promise<Page<HistoryEntry>> {
    return this.#http.request({ method: 'GET', path: `/v1/agents/${enc(agentId)}/history`, query: pageQuery(page), schema: HistoryPage });
  }

  /** `GET /v1/agents`: one page of agents. */
  listAgentsPage(filter: AgentFilter = {}, page: PageOptions = {}): Promise<Page<AgentView>> {
    return this.#http.request({ method: 'GET', path: '/v1/agents', query: { ...agentQuery(filter), ...pageQuery(page, filter.limit) }, schema: AgentPage });
  }

  /** Every agent matching the filter, fetching pages as the loop goes. */
  listAgents(filter: AgentFilter = {}): AsyncGenerator<AgentView, void, undefined> {
    return paginate((cursor) => this.listAgentsPage(filter, { cursor }));
  }

  /** `GET /v1/agents/:id`; a missing agent is a `VigilApiError` with status 404. */
  getAgent(agentId: string): Promise<AgentView> {
    return this.#http.request({ method: 'GET', path: `/v1/agents/${enc(agentId)}`, schema: AgentView });
  }

  /** `GET /v1/fleet/summary`: counts per status for the tenant. */
  summary(): Promise<FleetSummary> {
    return this.#http.request({ method: 'GET', path: '/v1/fleet/summary', schema: FleetSummary });
  }

  /** `GET /v1/whoami`: the key this client holds — its id (never the key), tenant, role and name. Any key may ask. */
  whoami(): Promise<WhoAmI> {
    return this.#http.request({ method: 'GET', path: '/v1/whoami', schema: WhoAmI });
  }

  /** One page of transitions of an agent (`GET /v1/agents/:id/transitions`), or of the tenant when no id is given. */
  transitionsPage(agentId?: string, page: PageOptions = {}): Promise<Page<TransitionView>> {
    const path = agentId === undefined ? '/v1/transitions' : `/v1/agents/${enc(agentId)}/transitions`;
    return this.#http.request({ method: 'GET', path, query: pageQuery(page), schema: TransitionPage });
  }

  /** Every transition of an agent (or the tenant), in the server's order, fetching pages as the loop goes. */
  transitions(agentId?: string, options: Pick<PageOptions, 'limit'> = {}): AsyncGenerator<TransitionView, void, undefined> {
    return paginate((cursor) => this.transitionsPage(agentId, { cursor, ...(options.limit === undefined ? {} : { limit: options.limit }) }));
  }

  /** `GET /v1/agents/:id/metrics`: per-minute or per-hour metric windows. */
  metrics(agentId: string, resolution: MetricResolution = '1m', range: MetricRange = {}): Promise<MetricPoint[]> {
    const query = { resolution, from: range.from, to: range.to, limit: range.limit };
    return this.#http.request({ method: 'GET', path: `/v1/agents/${enc(agentId)}/metrics`, query, schema: MetricPoints });
  }

  /** `GET /v1/metrics/recent`: count, success rate, p95 and cost of many agents (one list page) over recent minutes. */
  recentMetrics(agentIds: readonly string[], minutes?: number): Promise<RecentMetricsResponse> {
    return this.#http.request({ method: 'GET', path: '/v1/metrics/recent', query: { agent: agentIds, minutes }, schema: RecentMetricsResponse });
  }

  /** `POST /v1/webhooks`: the answer holds the signing secret, shown this once. */
  createWebhook(input: WebhookInput): Promise<WebhookCreated> {
    return this.#http.request({ method: 'POST', path: '/v1/webhooks', body: input, schema: WebhookCreated });
  }

  /** `GET /v1/webhooks`: the tenant's webhooks (never their secrets). */
  async listWebhooks(): Promise<WebhookView[]> {
    return (await this.#http.request({ method: 'GET', path: '/v1/webhooks', schema: WebhookPage })).items;
  }

  /** `DELETE /v1/webhooks/:id`; its pending deliveries are cancelled. */
  async deleteWebhook(id: string): Promise<void> {
    await this.#http.request({ method: 'DELETE', path: `/v1/webhooks/${enc(id)}` });
  }

  /** `POST /v1/webhooks/:id/test`: queues a test delivery; returns its id. */
  async testWebhook(id: string): Promise<string> {
    return (await this.#http.request({ method: 'POST', path: `/v1/webhooks/${enc(id)}/test`, schema: TestAccepted })).deliveryId;
  }

  /** `GET /v1/webhooks/:id/deliveries`: one page, newest first. */
  webhookDeliveries(id: string, page: PageOptions = {}): Promise<Page<DeliveryView>> {
    return this.#http.request({ method: 'GET', path: `/v1/webhooks/${enc(id)}/deliveries`, query: pageQuery(page), schema: DeliveryPage });
  }

  /** `POST /v1/webhooks/:id/deliveries/:deliveryId/resend`: a dead delivery back in the queue. */
  resendDelivery(id: string, deliveryId: string): Promise<DeliveryView> {
    return this.#http.request({ method: 'POST', path: `/v1/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/resend`, schema: DeliveryView });
  }

  /** `PUT /v1/agents/:id/thresholds`, or `PUT /v1/thresholds` (the tenant's) when no agent id is given. */
  async setThresholds(thresholds: ThresholdsInput, agentId?: string): Promise<void> {
    const path = agentId === undefined ? '/v1/thresholds' : `/v1/agents/${enc(agentId)}/thresholds`;
    await this.#http.request({ method: 'PUT', path, body: thresholds });
  }

  /**
   * `GET /v1/transitions/stream`: transitions as they happen. The iterator ends when the server closes the stream
   * or `signal` aborts; a broken connection throws a retriable `VigilApiError` (resume with `lastEventId`).
   */
  async *streamTransitions(options: StreamOptions = {}): AsyncGenerator<StreamedTransition, void, undefined> {
    const headers: Record<string, string> = options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId };
    let response: FetchResponse;
    try {
      response = await this.#http.openStream('/v1/transitions/stream', {}, headers, options.signal);
    } catch (err) {
      if (options.signal?.aborted === true) return;
      throw err;
    }
    if (response.body === null) return;
    try {
      for await (const message of parseSse(response.body)) {
        if (message.event !== 'transition') continue;
        yield { transition: parseTransition(message.data), eventId: message.id };
      }
    } catch (err) {
      if (options.signal?.aborted === true) return;
      if (err instanceof VigilApiError) throw err;
      throw new VigilApiError('VIGIL_ERR_NETWORK', `GET /v1/transitions/stream: stream broke (${err instanceof Error ? err.message : String(err)})`, {
        status: null,
        request: 'GET /v1/transitions/stream',
        cause: err,
      });
    }
  }
}

function parseTransition(data: string): TransitionView {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (cause) {
    throw new VigilApiError('VIGIL_ERR_INVALID_RESPONSE', 'transition stream: event data is not JSON', { status: 200, cause });
  }
  const parsed = TransitionView.safeParse(json);
  if (!parsed.success) {
    throw new VigilApiError('VIGIL_ERR_INVALID_RESPONSE', `transition stream: event does not match the contract (${parsed.error.issues[0]?.message ?? 'invalid'})`, {
      status: 200,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

function by(options: ControlOptions): { by?: string } {
  return options.by === undefined ? {} : { by: options.by };
}

function agentQuery(filter: AgentFilter): QueryValues {
  return {
    status: filter.status,
    deliverable: filter.deliverable,
    flapping: filter.flapping,
    label: filter.labels === undefined ? undefined : Object.entries(filter.labels).map(([k, v]) => `${k}:${v}`),
    sort: filter.sort,
    q: filter.search,
  };
}

function pageQuery(page: PageOptions, defaultLimit?: number): QueryValues {
  return { limit: page.limit ?? defaultLimit, cursor: page.cursor ?? undefined };
}

/** Walks `nextCursor` until the server says there is no more. */
async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
