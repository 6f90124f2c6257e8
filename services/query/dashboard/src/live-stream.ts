import type { TransitionView } from '@vigil/contracts';
import type { Api } from './api.ts';
import { SseParser } from './sse-parser.ts';

/** Connection state shown in the header. */
export type StreamState = { kind: 'connecting' } | { kind: 'live' } | { kind: 'reconnecting'; inMs: number } | { kind: 'unauthorized' };

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

/**
 * The transition stream (`GET /v1/transitions/stream`) for the whole page: one connection, resumed from the last
 * event id after a drop with jittered exponential backoff, so the page stays live across a server restart.
 */
export class LiveStream {
  private abort: AbortController | null = null;
  private lastEventId: string | null = null;
  private backoffMs = BACKOFF_MIN_MS;
  private stopped = true;
  private timer: number | null = null;
  private readonly listeners = new Set<(t: TransitionView) => void>();

  constructor(
    private readonly api: Api,
    private readonly onState: (state: StreamState) => void,
  ) {}

  /** Calls `listener` for every transition from now on; returns the unsubscribe. */
  subscribe(listener: (t: TransitionView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.stop();
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.abort = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.onState({ kind: 'connecting' });
    const abort = new AbortController();
    this.abort = abort;
    let retryAfterMs = 0;
    const parser = new SseParser((event) => {
      if (event.type !== 'transition') return;
      let transition: TransitionView;
      try {
        transition = JSON.parse(event.data) as TransitionView;
      } catch {
        return;
      }
      for (const listener of this.listeners) listener(transition);
    });
    if (this.lastEventId !== null) parser.lastEventId = this.lastEventId;
    try {
      const res = await fetch('/v1/transitions/stream', {
        headers: { ...this.api.authHeader(), accept: 'text/event-stream', ...(this.lastEventId === null ? {} : { 'last-event-id': this.lastEventId }) },
        signal: abort.signal,
        cache: 'no-store',
      });
      if (res.status === 401 || res.status === 403) {
        this.onState({ kind: 'unauthorized' });
        this.stopped = true;
        return;
      }
      if (!res.ok || res.body === null) {
        retryAfterMs = Number(res.headers.get('retry-after') ?? '0') * 1000;
        if (res.status === 409) this.lastEventId = null; // the resume point was pruned: start from now
        throw new Error(`stream answered ${res.status}`);
      }
      this.onState({ kind: 'live' });
      this.backoffMs = BACKOFF_MIN_MS;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
        this.lastEventId = parser.lastEventId;
      }
    } catch {
      if (abort.signal.aborted) return;
    }
    if (this.stopped || abort.signal.aborted) return;
    const delay = Math.max(retryAfterMs, parser.retryMs ?? 0, Math.round(this.backoffMs * (0.8 + Math.random() * 0.4)));
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    this.onState({ kind: 'reconnecting', inMs: delay });
    this.timer = window.setTimeout(() => void this.connect(), delay);
  }
}
