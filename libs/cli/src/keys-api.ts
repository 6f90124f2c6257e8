import { ApiKeyInfo, CreatedApiKey, ErrorBody } from '@vigil/contracts';
import { VigilApiError, type FetchLike, type FetchResponse } from '@vigil/sdk';
import { z } from 'zod';
import { httpFetch } from './client/http-fetch.ts';

const KeyList = z.object({ items: z.array(ApiKeyInfo) });

/** The `/v1/keys` calls of `vigil keys` (admin), failing with the server's error code like every client command. */
export class KeysApi {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly fetch: FetchLike = httpFetch,
  ) {}

  /** Creates a key; the answer is the only time the key is shown. */
  create(body: { tenant?: string; role: string; name?: string }): Promise<CreatedApiKey> {
    return this.#call('POST', '/v1/keys', CreatedApiKey, body);
  }

  /** Every key (never the keys themselves), optionally of one tenant. */
  async list(tenant?: string): Promise<ApiKeyInfo[]> {
    const query = tenant === undefined ? '' : `?tenant=${encodeURIComponent(tenant)}`;
    return (await this.#call('GET', `/v1/keys${query}`, KeyList)).items;
  }

  /** Revokes a key by id. */
  revoke(id: string): Promise<ApiKeyInfo> {
    return this.#call('DELETE', `/v1/keys/${encodeURIComponent(id)}`, ApiKeyInfo);
  }

  async #call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    const request = `${method} ${path}`;
    let res: FetchResponse;
    try {
      res = await this.fetch(this.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw new VigilApiError('VIGIL_ERR_NETWORK', `no answer from ${this.baseUrl}: ${cause instanceof Error ? cause.message : String(cause)}`, { status: null, request, cause });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = ErrorBody.safeParse(json);
      if (error.success) {
        const { code, message, field } = error.data.error;
        throw new VigilApiError(code, message, { status: res.status, request, ...(field === undefined ? {} : { field }) });
      }
      throw new VigilApiError('VIGIL_ERR_HTTP', `${request} answered ${res.status}`, { status: res.status, request });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new VigilApiError('VIGIL_ERR_INVALID_RESPONSE', `${request}: the answer does not match the API`, { status: res.status, request });
    return parsed.data as z.infer<S>;
  }
}
