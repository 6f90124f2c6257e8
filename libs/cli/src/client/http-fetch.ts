import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Readable } from 'node:stream';
import type { FetchLike, FetchResponse } from '@vigil/sdk';

/** Header values as node:http takes them, from the header forms `fetch` takes (the SDK sends a plain record). */
function headersOf(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  // Iterables (a Headers object, pairs) without naming the Headers global: touching it loads undici.
  const entries: [string, string | readonly string[]][] = Symbol.iterator in headers ? [...(headers as Iterable<[string, string]>)] : Object.entries(headers);
  return Object.fromEntries(entries.map(([k, v]) => [k.toLowerCase(), typeof v === 'string' ? v : v.join(', ')]));
}

/** The answer as the SDK reads it; the body is read once, as text or (for event streams) as a web stream. */
function responseOf(res: IncomingMessage): FetchResponse {
  const status = res.statusCode ?? 0;
  let body: ReadableStream<Uint8Array> | undefined;
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: {
      get(name: string): string | null {
        const value = res.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    get body(): ReadableStream<Uint8Array> {
      body ??= Readable.toWeb(res) as ReadableStream<Uint8Array>;
      return body;
    },
    async text(): Promise<string> {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/**
 * `fetch` over node:http(s), as the CLI's transport. Why not the global fetch: in Node 20 it is undici, and a short
 * command pays for it at every start — loading undici, then compiling its llhttp WebAssembly parser, whose
 * optimising compilation the process waits for at exit — about 80 ms, a third of `vigil summary` (measured; README
 * "CLI"). Fails like fetch: a `TypeError('fetch failed')` with the socket error as `cause`, or the signal's reason
 * when it aborts, so the SDK maps it to VIGIL_ERR_NETWORK / VIGIL_ERR_TIMEOUT as it would undici's.
 */
export const httpFetch: FetchLike = async (input, init = {}) => {
  const url = typeof input === 'string' ? new URL(input) : input;
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') throw new TypeError('httpFetch sends string bodies only');
  // node:https (and TLS) only for an https URL: a local `vigil up` is plain http.
  const request = url.protocol === 'https:' ? (await import('node:https')).request : url.protocol === 'http:' ? httpRequest : undefined;
  if (request === undefined) throw new TypeError(`fetch failed: unsupported protocol ${url.protocol}`);
  const body = init.body ?? undefined;
  const options: RequestOptions = {
    method: init.method ?? 'GET',
    headers: { ...headersOf(init.headers), ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
    ...(signal === undefined ? {} : { signal }),
  };
  return new Promise<FetchResponse>((resolve, reject) => {
    const req = request(url, options, (res) => resolve(responseOf(res)));
    req.on('error', (err) => reject(signal?.aborted === true ? signal.reason : new TypeError('fetch failed', { cause: err })));
    req.end(body);
  });
};
