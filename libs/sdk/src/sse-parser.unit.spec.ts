import { describe, expect, it } from 'vitest';
import { parseSse } from './sse-parser.ts';
import type { SseMessage } from './sse-parser.ts';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(enc.encode(c));
      controller.close();
    },
  });
}

async function collect(chunks: string[]): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of parseSse(streamOf(chunks))) out.push(m);
  return out;
}

describe('parseSse', () => {
  it('joins events split across chunks, including a CRLF split between chunks', async () => {
    expect(await collect(['event: transition\r', '\ndata: {"a"', ':1}\r\n\r', '\n'])).toEqual([{ event: 'transition', data: '{"a":1}', id: undefined }]);
  });

  it('skips comments, joins multi-line data, keeps the last id and defaults the event name', async () => {
    expect(await collect([': ping\n\nid: 7\ndata: a\ndata: b\n\ndata:c\n\n'])).toEqual([
      { event: 'message', data: 'a\nb', id: '7' },
      { event: 'message', data: 'c', id: '7' },
    ]);
  });

  it('drops an event the stream cut before its blank line', async () => {
    expect(await collect(['data: whole\n\ndata: cut'])).toEqual([{ event: 'message', data: 'whole', id: undefined }]);
  });
});
