import type { AgentStatus } from '@vigil/contracts';

/**
 * What the SDK reads of an answer. A `Response` has all of it; a transport of its own (the `vigil` CLI's, over
 * node:http, which spares a short process loading undici) need only have this.
 */
export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  /** The body as a stream; read only by `streamTransitions`. */
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/** The subset of `fetch` the SDK uses; injectable so tests and exotic runtimes can supply their own. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<FetchResponse>;

/** Filter of `listAgents`: maps to the query string of `GET /v1/agents`. */
export interface AgentFilter {
  /** Only agents in this status. */
  readonly status?: AgentStatus;
  /** Only agents that may (true) or may not (false) receive work. */
  readonly deliverable?: boolean;
  /** Only flapping (true) or steady (false) agents. */
  readonly flapping?: boolean;
  /** Only agents carrying every one of these labels. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Page size asked of the server. */
  readonly limit?: number;
  /** Server-side order: `severity` (worst first, then oldest status first), `id`, or `lastSeen` (most recent first). */
  readonly sort?: AgentSort;
  /** Only agents whose id or a label value starts with this text (`q=`). */
  readonly search?: string;
}

/** Orders of `GET /v1/agents?sort=`. */
export type AgentSort = 'severity' | 'id' | 'lastSeen';

/** Range of `metrics`: epoch ms or ISO 8601, `from` inclusive and `to` exclusive; at most `limit` windows. */
export interface MetricRange {
  readonly from?: number | string;
  readonly to?: number | string;
  readonly limit?: number;
}

/** Where a page starts and how large it is. */
export interface PageOptions {
  /** Most items in the page. */
  readonly limit?: number;
  /** `nextCursor` of the previous page; absent for the first. */
  readonly cursor?: string | null;
}

/** A threshold as the API accepts it: `"90s"`, `"5m"`, a number of ms, or null to clear an override. */
export type ThresholdValue = string | number | null;

/** Body of `PUT /v1/thresholds` and `PUT /v1/agents/:id/thresholds`; absent fields are left as they are. */
export interface ThresholdsInput {
  readonly degradedAfter?: ThresholdValue;
  readonly unreachableAfter?: ThresholdValue;
  readonly stalledAfter?: ThresholdValue;
}

/** Resolution of `GET /v1/agents/:id/metrics`. */
export type MetricResolution = '1m' | '1h';
