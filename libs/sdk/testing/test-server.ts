import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Body parsed as JSON, or undefined when empty or not JSON. */
  readonly body: unknown;
  readonly rawBody: string;
}

/** How the test server answers: a JSON (or text) reply, or full control of the response (for SSE). */
export type TestReply =
  | { readonly status?: number; readonly json?: unknown; readonly text?: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly raw: (res: ServerResponse) => void };

/** Decides the answer to each request. */
export type TestHandler = (req: RecordedRequest) => TestReply | Promise<TestReply>;

/** A real HTTP server on 127.0.0.1 that records requests and answers like the Vigil API is told to. */
export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Replaces the handler (for "the server goes down now" scenarios). */
  setHandler(handler: TestHandler): void;
  /** Stops the server, cutting open connections such as event streams. */
  close(): Promise<void>;
}

/**
 * Starts a recording HTTP server on an ephemeral port, so SDK and CLI tests exercise the real fetch and HTTP path
 * instead of mocking the code under test.
 */
export async function startTestServer(handler: TestHandler): Promise<TestServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody === '' ? undefined : JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, rawBody };
      requests.push(recorded);
      Promise.resolve()
        .then(() => current(recorded))
        .then((reply) => {
          if ('raw' in reply) return reply.raw(res);
          const text = reply.json === undefined ? (reply.text ?? '') : JSON.stringify(reply.json);
          res.writeHead(reply.status ?? 200, {
            ...(reply.json === undefined ? {} : { 'content-type': 'application/json' }),
            ...reply.headers,
          });
          res.end(text);
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'TEST_HANDLER_THREW', message: String(err) } }));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setHandler(next) {
      current = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** The API's error body, for handlers that answer with a failure. */
export function errorReply(status: number, code: string, message: string, extra: { field?: string; headers?: Record<string, string> } = {}): TestReply {
  return {
    status,
    json: { error: { code, message, ...(extra.field === undefined ? {} : { field: extra.field }) } },
    ...(extra.headers === undefined ? {} : { headers: extra.headers }),
  };
}
