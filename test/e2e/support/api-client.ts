import type { AgentView, FleetSummary, HeartbeatResponse, Page, TransitionView } from '@vigil/contracts';

/** An HTTP answer: status, content type and body (parsed when JSON). */
export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly contentType: string;
  readonly body: T;
}

/** Options of one request. */
export interface RequestOptions {
  /** Sent as is instead of `JSON.stringify(body)` (malformed or oversized bodies). */
  readonly rawBody?: string;
  /** Replaces the Bearer key; `null` sends no Authorization header at all. */
  readonly apiKey?: string | null;
}

/**
 * The slice of Vigil's HTTP API the end-to-end tests speak, with plain `fetch` (not the SDK, whose own behaviour is
 * under test elsewhere), so each test sees exactly what any HTTP client would.
 */
export class ApiClient {
  constructor(
    readonly url: string,
    readonly apiKey: string,
  ) {}

  async request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const key = options.apiKey === undefined ? this.apiKey : options.apiKey;
    const headers: Record<string, string> = {};
    if (key !== null) headers['authorization'] = `Bearer ${key}`;
    const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }), signal: AbortSignal.timeout(15_000) });
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    return { status: response.status, contentType, body: (contentType.includes('json') ? JSON.parse(text) : text) as T };
  }

  /** GET that must succeed (2xx); the body as `T`. */
  async get<T>(path: string): Promise<T> {
    const response = await this.request<T>('GET', path);
    if (response.status >= 300) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** POST that must succeed (2xx); the body as `T`. */
  async post<T>(path: string, body?: unknown): Promise<T> {
    const response = await this.request<T>('POST', path, body);
    if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  heartbeat(agentId: string, fields: Record<string, unknown> = {}): Promise<HeartbeatResponse> {
    return this.post<HeartbeatResponse>('/v1/heartbeats', { agentId, intervalSeconds: 1, ...fields });
  }

  /** The agent, or null while the platform does not know it (404). */
  async agent(agentId: string): Promise<AgentView | null> {
    const response = await this.request<AgentView>('GET', `/v1/agents/${encodeURIComponent(agentId)}`);
    if (response.status === 404) return null;
    if (response.status !== 200) throw new Error(`GET agent ${agentId}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  summary(): Promise<FleetSummary> {
    return this.get<FleetSummary>('/v1/fleet/summary');
  }

  /** Every item of a paginated list, following `nextCursor` page by page (small pages, so paging is exercised). */
  async allPages<T>(path: string, pageSize = 5): Promise<T[]> {
    const items: T[] = [];
    const separator = path.includes('?') ? '&' : '?';
    let cursor: string | null = null;
    for (let page = 0; page < 10_000; page++) {
      const query: string = `${separator}limit=${pageSize}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const body: Page<T> = await this.get<Page<T>>(`${path}${query}`);
      items.push(...body.items);
      if (body.nextCursor === null) return items;
      cursor = body.nextCursor;
    }
    throw new Error(`${path}: more than 10000 pages; is the cursor moving?`);
  }

  /** All agents of the tenant. */
  agents(): Promise<AgentView[]> {
    return this.allPages<AgentView>('/v1/agents');
  }

  /** An agent's transitions, oldest first (the API serves newest first). */
  async transitionsOf(agentId: string): Promise<TransitionView[]> {
    return (await this.allPages<TransitionView>(`/v1/agents/${encodeURIComponent(agentId)}/transitions`)).reverse();
  }

  /** All of the tenant's transitions, newest first, as served. */
  transitions(): Promise<TransitionView[]> {
    return this.allPages<TransitionView>('/v1/transitions');
  }

  /** The sample lines of one metric family in `/metrics` (without `# HELP`/`# TYPE`). */
  async metricLines(name: string): Promise<string[]> {
    const response = await this.request<string>('GET', '/metrics', undefined, { apiKey: null });
    if (response.status !== 200) throw new Error(`GET /metrics: ${response.status}`);
    return response.body.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
  }
}
