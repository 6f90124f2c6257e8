import type { AgentView, FleetSummary, MetricPoint, Page, RecentMetricsResponse, TransitionView, WhoAmI } from '@vigil/contracts';

/** One entry of `GET /v1/agents/:id/history`: an event of the agent's stream in the event store. */
export interface HistoryItem {
  readonly revision: number;
  readonly type: string;
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Orders of the fleet list. */
export type AgentSort = 'severity' | 'id' | 'lastSeen';

/** Filters of the fleet list, as the API takes them. */
export interface ListFilter {
  readonly status?: string;
  readonly labels: readonly string[];
  readonly q?: string;
  readonly sort: AgentSort;
}

/** A refused or failed call: the server's error code and message, or a network failure (`status` 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The dashboard's client of the `/v1` API: bearer key on every call, errors as `ApiError`. */
export class Api {
  constructor(private readonly key: () => string | null) {}

  /** `Authorization` header of the current key. */
  authHeader(): Record<string, string> {
    const key = this.key();
    return key === null ? {} : { authorization: `Bearer ${key}` };
  }

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers: { ...this.authHeader(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
      });
    } catch (err) {
      throw new ApiError(0, 'NETWORK', `cannot reach the server (${err instanceof Error ? err.message : String(err)})`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      // A proxy's HTML error page: reported by status below.
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
      throw new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? `${method} ${path} answered ${res.status}`, error?.field);
    }
    return json as T;
  }

  /** The key in use: id, tenant, role and name (any valid key may ask). */
  whoami(): Promise<WhoAmI> {
    return this.request('GET', '/v1/whoami');
  }

  summary(): Promise<FleetSummary> {
    return this.request('GET', '/v1/fleet/summary');
  }

  agents(filter: ListFilter, limit: number, cursor: string | null): Promise<Page<AgentView>> {
    const q = new URLSearchParams({ sort: filter.sort, limit: String(limit) });
    if (filter.status !== undefined) q.set('status', filter.status);
    for (const label of filter.labels) q.append('label', label);
    if (filter.q !== undefined && filter.q !== '') q.set('q', filter.q);
    if (cursor !== null) q.set('cursor', cursor);
    return this.request('GET', `/v1/agents?${q.toString()}`);
  }

  agent(id: string): Promise<AgentView> {
    return this.request('GET', `/v1/agents/${encodeURIComponent(id)}`);
  }

  transitions(id: string, limit = 100): Promise<Page<TransitionView>> {
    return this.request('GET', `/v1/agents/${encodeURIComponent(id)}/transitions?limit=${limit}`);
  }

  metrics(id: string, resolution: '1m' | '1h', from: number, limit: number): Promise<{ items: MetricPoint[] }> {
    return this.request('GET', `/v1/agents/${encodeURIComponent(id)}/metrics?resolution=${resolution}&from=${from}&limit=${limit}`);
  }

  recentMetrics(ids: readonly string[]): Promise<RecentMetricsResponse> {
    const q = new URLSearchParams();
    for (const id of ids) q.append('agent', id);
    return this.request('GET', `/v1/metrics/recent?${q.toString()}`);
  }

  history(id: string, cursor: string | null, limit = 50): Promise<Page<HistoryItem>> {
    return this.request('GET', `/v1/agents/${encodeURIComponent(id)}/history?limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
  }

  kill(id: string, reason: string): Promise<unknown> {
    return this.request('POST', `/v1/agents/${encodeURIComponent(id)}/kill`, { reason, by: 'dashboard' });
  }

  resume(id: string, reason: string): Promise<unknown> {
    return this.request('POST', `/v1/agents/${encodeURIComponent(id)}/resume`, { by: 'dashboard', ...(reason === '' ? {} : { reason }) });
  }
}
