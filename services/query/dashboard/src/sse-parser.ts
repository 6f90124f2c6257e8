/** One server-sent event. */
export interface SseEvent {
  readonly type: string;
  readonly data: string;
  readonly id: string | null;
}

/**
 * The event-stream parser of the HTML standard (lines ending in LF, CR or CRLF, possibly split across chunks; `data`
 * lines joined by LF; `:` comments ignored; `id` remembered; `retry` reported) for a `fetch()` body: the dashboard
 * cannot use `EventSource`, which sends no `Authorization` header.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private type = '';
  /** The last `id:` seen, sent back as `Last-Event-ID` on reconnection. */
  lastEventId: string | null = null;
  /** The last `retry:` the server asked for, in ms. */
  retryMs: number | null = null;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      // A CR at the very end may be the first half of a CRLF split across chunks: wait for the next one.
      if (c === '\r' && i + 1 === this.buffer.length) break;
      this.line(this.buffer.slice(start, i));
      if (c === '\r' && this.buffer[i + 1] === '\n') i++;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(text: string): void {
    if (text === '') return this.dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\u0000')) this.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }

  private dispatch(): void {
    if (this.data.length > 0) this.onEvent({ type: this.type || 'message', data: this.data.join('\n'), id: this.lastEventId });
    this.data = [];
    this.type = '';
  }
}
