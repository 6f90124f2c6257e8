import type { TransitionView } from '@vigil/sdk';
import { VigilError } from '@vigil/sdk';
import { CLIENT_FLAGS_USAGE, apiUrl, clientFlags, clientFrom, parseFlags } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';

const options = { ...clientFlags, agent: { type: 'string', multiple: true } } as const;

/** Longest wait between reconnection attempts. */
const MAX_BACKOFF_MS = 30_000;

function line(t: TransitionView): string {
  return `${t.at}  ${t.agentId}  ${t.from} -> ${t.to}  ${t.reason}\n`;
}

/** Waits, or stops waiting as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * `vigil tail`: transitions as they happen, one line each (JSONL with `--json`). A dropped connection is resumed with
 * backoff from the last event id, so a restart of the server does not end the tail; Ctrl-C does (exit 0).
 */
export const command: CliCommand = {
  name: 'tail',
  summary: 'Follow status transitions live (Ctrl-C to stop)',
  usage: [
    'Usage: vigil tail [--agent <id>]... [--json]',
    '',
    'Prints one line per transition; --json prints one JSON object per line (JSONL).',
    '',
    'Options:',
    '  --agent <id>       only this agent (repeatable)',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, options, 0);
    const client = clientFrom(values, io);
    const only = values.agent === undefined ? undefined : new Set(values.agent);
    const signal = io.signal;
    io.stderr(`Following transitions at ${apiUrl(values, io)} (Ctrl-C to stop)\n`);
    // A function, not a narrowed property read: the signal flips while we await.
    const stopped = (): boolean => signal?.aborted === true;
    let lastEventId: string | undefined;
    let backoffMs = 1_000;
    while (!stopped()) {
      try {
        for await (const { transition, eventId } of client.streamTransitions({
          ...(signal === undefined ? {} : { signal }),
          ...(lastEventId === undefined ? {} : { lastEventId }),
        })) {
          backoffMs = 1_000;
          if (eventId !== undefined) lastEventId = eventId;
          if (only !== undefined && !only.has(transition.agentId)) continue;
          io.stdout(values.json === true ? `${JSON.stringify(transition)}\n` : line(transition));
        }
        if (stopped()) break;
        io.stderr('Stream closed by the server; reconnecting.\n');
      } catch (err) {
        if (stopped()) break;
        if (!(err instanceof VigilError) || !err.retriable) throw err;
        io.stderr(`Connection lost (${err.code}: ${err.message}); reconnecting in ${backoffMs / 1000}s.\n`);
      }
      await sleep(backoffMs, signal);
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }
    return 0;
  },
};
