import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse-parser.ts';

function parse(chunks: string[]): { events: SseEvent[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for (const c of chunks) parser.push(c);
  return { events, parser };
}

describe('the dashboard SSE parser', () => {
  it('parses events split anywhere, with CRLF, CR and LF line ends, comments and ids', () => {
    const { events, parser } = parse([': keepalive\n\nid: 7\r', '\nevent: transition\rdata: {"a"', ':1}\n', 'data: x\n\n', 'retry: 2500\n\n']);
    expect(events).toEqual([{ type: 'transition', data: '{"a":1}\nx', id: '7' }]);
    expect(parser.lastEventId).toBe('7');
    expect(parser.retryMs).toBe(2500);
  });

  it('defaults the type to message and ignores ids with NUL', () => {
    const { events } = parse(['id: a\u0000b\ndata: hi\n\n']);
    expect(events).toEqual([{ type: 'message', data: 'hi', id: null }]);
  });
});
