import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cleanup } from '../../e2e/support/cleanup.ts';

/** One request a receiver got, with the wall-clock time it arrived and whether it was answered 2xx. */
export interface ReceivedRequest {
  readonly at: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Set once the answer was written; `null` while held or when the connection died first. */
  answeredWith: number | null;
}

/** What to answer: a status (and headers), or `'hold'` to never answer (the request hangs until the receiver closes). */
export type Answer = { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly delayMs?: number } | 'hold';

/** A small HTTP receiver on 127.0.0.1 standing in for a customer's endpoint; `answer` decides each response. */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  answer: (request: ReceivedRequest, attemptOfThisId: number) => Answer = () => ({ status: 200 });
  private readonly server = createServer((req, res) => this.handle(req, res));
  private readonly held = new Set<ServerResponse>();

  private constructor() {}

  /** Starts a receiver on a free loopback port; closed by `cleanup`. */
  static async start(cleanup: Cleanup): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    cleanup.defer('webhook receiver', () => r.close());
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Parsed JSON bodies of every request so far. */
  bodies<T = { type: string; data: Record<string, unknown> }>(): T[] {
    return this.requests.map((r) => JSON.parse(r.body) as T);
  }

  /** Requests answered 2xx, by webhook-id: what the receiver has acknowledged. */
  acknowledged(): Map<string, ReceivedRequest[]> {
    const out = new Map<string, ReceivedRequest[]>();
    for (const r of this.requests) {
      if (r.answeredWith === null || r.answeredWith >= 300) continue;
      const id = r.headers['webhook-id'] ?? '';
      out.set(id, [...(out.get(id) ?? []), r]);
    }
    return out;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
      const received: ReceivedRequest = { at: Date.now(), headers, body: Buffer.concat(chunks).toString('utf8'), answeredWith: null };
      this.requests.push(received);
      const attempt = this.requests.filter((r) => r.headers['webhook-id'] === headers['webhook-id']).length;
      const answer = this.answer(received, attempt);
      if (answer === 'hold') {
        this.held.add(res);
        return;
      }
      const reply = (): void => {
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.status < 300 ? 'ok' : 'nope', () => {
          received.answeredWith = answer.status;
        });
      };
      if (answer.delayMs === undefined) reply();
      else setTimeout(reply, answer.delayMs);
    });
  }

  /** Drops every held request without an answer (the sender sees its connection die). */
  dropHeld(): void {
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.dropHeld();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
