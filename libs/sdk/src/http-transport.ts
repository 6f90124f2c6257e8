import type { z } from 'zod';
import { ErrorBody } from '@vigil/contracts';
import { VigilApiError } from './errors.ts';
import { parseRetryAfter } from './retry-after.ts';
import type { FetchLike, FetchResponse } from './types.ts';

/** Query string values; undefined ones are left out, arrays repeat the key. */
export type QueryValues = Readonly<Record<string, string | number | boolean | readonly string[] | undefined | null>>;

/** One API call. */
export interface ApiRequest<S extends z.ZodType | undefined> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly query?: QueryValues;
  readonly body?: unknown;
  /** Schema of a successful answer; without one the body is ignored. */
  readonly schema?: S;
  readonly signal?: AbortSignal;
}

/** Settings of the transport. */
export interface HttpTransportOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly fetch: FetchLike;
  readonly now: () => number;
  readonly timeoutMs: number;
}

/**
 * Makes authenticated JSON calls and turns every failure — no answer, an error body, an answer that does not match
 * its schema — into a `VigilApiError`, so that callers deal with one error type.
 */
export class HttpTransport {
  readonly #options: HttpTransportOptions;
  readonly #base: string;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
  }

  /** Absolute URL of an API path with its query string. */
  url(path: string, query?: QueryValues): URL {
    const url = new URL(this.#base + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value as readonly string[]) url.searchParams.append(key, v);
      else url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** Sends a call and returns its validated answer. */
  async request<S extends z.ZodType | undefined>(req: ApiRequest<S>): Promise<S extends z.ZodType ? z.infer<S> : undefined> {
    const label = `${req.method} ${req.path}`;
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    const response = await this.send(label, this.url(req.path, req.query), {
      method: req.method,
      headers: {
        ...this.#headers(),
        accept: 'application/json',
        ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      signal: req.signal === undefined ? timeout : AbortSignal.any([timeout, req.signal]),
    });
    const text = await response.text().catch((cause: unknown) => {
      throw new VigilApiError('VIGIL_ERR_NETWORK', `${label}: the answer was cut off`, { status: response.status, request: label, cause });
    });
    if (!response.ok) throw this.errorFrom(label, response, text);
    if (req.schema === undefined) return undefined as S extends z.ZodType ? z.infer<S> : undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new VigilApiError('VIGIL_ERR_INVALID_RESPONSE', `${label}: answer is not JSON`, { status: response.status, request: label, cause });
    }
    const parsed = req.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new VigilApiError(
        'VIGIL_ERR_INVALID_RESPONSE',
        `${label}: answer does not match the API contract (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'})`,
        { status: response.status, request: label, cause: parsed.error },
      );
    }
    return parsed.data as S extends z.ZodType ? z.infer<S> : undefined;
  }

  /** Opens a streaming GET (server-sent events); the caller reads and closes the body. */
  async openStream(path: string, query: QueryValues, headers: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<FetchResponse> {
    const label = `GET ${path}`;
    const response = await this.send(label, this.url(path, query), {
      method: 'GET',
      headers: { ...this.#headers(), accept: 'text/event-stream', ...headers },
      ...(signal === undefined ? {} : { signal }),
    });
    if (!response.ok) throw this.errorFrom(label, response, await response.text().catch(() => ''));
    return response;
  }

  /** Calls fetch, mapping a failure to get any answer to a retriable `VigilApiError`. */
  private async send(label: string, url: URL, init: RequestInit): Promise<FetchResponse> {
    try {
      return await this.#options.fetch(url, init);
    } catch (cause) {
      const name = cause instanceof Error ? cause.name : '';
      if (name === 'TimeoutError') {
        throw new VigilApiError('VIGIL_ERR_TIMEOUT', `${label}: no answer within ${this.#options.timeoutMs} ms`, { status: null, request: label, cause });
      }
      if (name === 'AbortError') throw cause;
      const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
      throw new VigilApiError('VIGIL_ERR_NETWORK', `${label}: cannot reach ${this.#base} (${reason})`, { status: null, request: label, cause });
    }
  }

  /** Builds the error of a non-2xx answer from the server's `{error:{code,message,field?}}` body when it has one. */
  private errorFrom(label: string, response: FetchResponse, text: string): VigilApiError {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.#options.now());
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const parsed = ErrorBody.safeParse(body);
    const init = { status: response.status, request: label, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    if (parsed.success) {
      const { code, message, field } = parsed.data.error;
      return new VigilApiError(code, message, { ...init, ...(field === undefined ? {} : { field }) });
    }
    const snippet = text.trim().slice(0, 200);
    return new VigilApiError('VIGIL_ERR_HTTP', `${label}: HTTP ${response.status}${snippet ? ` (${snippet})` : ''}`, init);
  }

  #headers(): Record<string, string> {
    return { authorization: `Bearer ${this.#options.apiKey}` };
  }
}
