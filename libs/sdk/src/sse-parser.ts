/** One server-sent event, as dispatched at the blank line that ends it. */
export interface SseMessage {
  /** `event:` field; `message` when absent, as in the EventSource spec. */
  readonly event: string;
  /** `data:` lines joined with newlines. */
  readonly data: string;
  /** `id:` field of this or an earlier event (the spec's "last event id"), if any. */
  readonly id: string | undefined;
}

/**
 * Parses a `text/event-stream` body (WHATWG EventSource rules: `\n`, `\r\n` or `\r` line ends, `:` comments,
 * multi-line data) into messages. Written by hand because Node's fetch has no EventSource.
 */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let lastId: string | undefined;
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // A trailing \r may be the first half of \r\n: keep it until the next chunk says.
      const holdCr = !done && buffer.endsWith('\r');
      const complete = holdCr ? buffer.slice(0, -1) : buffer;
      const lines = complete.split(/\r\n|\n|\r/);
      // The last piece has no line end yet: keep it for the next chunk (at the end of the stream it is dropped).
      const rest = done ? '' : (lines.pop() ?? '');
      buffer = holdCr ? `${rest}\r` : rest;
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), id: lastId };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let val = colon === -1 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'event') event = val;
        else if (field === 'data') data.push(val);
        else if (field === 'id' && !val.includes('\0')) lastId = val;
      }
      if (done) return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
