import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SSE_PARSER_SCRIPT } from './sse-parser-script.ts';

/** One event as the browser-side parser hands it over. */
interface SseEvent {
  type: string;
  data: string;
  id: string | null;
}

interface SseParser {
  push(chunk: string): void;
  lastEventId(): string | null;
}

/** Runs the browser script in a bare context, as the page does, and feeds it chunks. */
function parse(chunks: readonly string[]): { events: SseEvent[]; parser: SseParser } {
  const create = runInNewContext(`${SSE_PARSER_SCRIPT}; createSseParser`) as (onEvent: (e: SseEvent) => void) => SseParser;
  const events: SseEvent[] = [];
  const parser = create((e) => events.push({ ...e }));
  for (const chunk of chunks) parser.push(chunk);
  return { events, parser };
}

describe('the dashboard SSE parser', () => {
  it('reads the transition frames the query service writes, skipping comments', () => {
    const { events, parser } = parse([': connected\n\n', 'id: t1\nevent: transition\ndata: {"to":"degraded"}\n\n', ': keepalive\n\n']);
    expect(events).toEqual([{ type: 'transition', data: '{"to":"degraded"}', id: 't1' }]);
    expect(parser.lastEventId()).toBe('t1');
  });

  it('joins a frame split anywhere across chunks, including inside a CRLF', () => {
    const text = 'id: t2\r\nevent: transition\r\ndata: {"a":1}\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const { events } = parse([text.slice(0, cut), text.slice(cut)]);
      expect(events, `cut at ${cut}`).toEqual([{ type: 'transition', data: '{"a":1}', id: 't2' }]);
    }
  });

  it('joins multi-line data with LF and defaults the type to message', () => {
    const { events } = parse(['data: one\ndata:two\r\rdata\n\n']);
    expect(events).toEqual([
      { type: 'message', data: 'one\ntwo', id: null },
      { type: 'message', data: '', id: null },
    ]);
  });

  it('dispatches nothing for a frame that is not finished yet', () => {
    expect(parse(['event: transition\ndata: {"a":1}\n']).events).toEqual([]);
  });
});
