import { readFile } from 'node:fs/promises';
import { parseDuration, replayJsonl } from '@vigil/core';
import { parseFlags, requirePositional } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { UsageError } from '../usage-error.ts';

const options = {
  until: { type: 'string' },
  'degraded-after': { type: 'string' },
  'unreachable-after': { type: 'string' },
  'stalled-after': { type: 'string' },
  window: { type: 'string' },
  all: { type: 'boolean' },
} as const;

function duration(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (Number.isNaN(ms) || ms <= 0) throw new UsageError(`--${flag} must be a duration like 90s, 2m or 500ms (got "${value}")`);
  return ms;
}

/** `vigil replay <file>`: the detector over a recorded log, offline; the same bytes on every run. */
export const command: CliCommand = {
  name: 'replay',
  summary: 'Replay a JSONL event log through the detector and print transitions and metric summaries as JSONL',
  usage: [
    'Usage: vigil replay <events.jsonl | -> [--until <ISO time>] [--degraded-after 90s] [--unreachable-after 5m]',
    '                    [--stalled-after 150s] [--window 1s] [--all]',
    '',
    'Input: the agent-events log as the platform stores it (envelopes, with ticks), or the minimal form, one per line:',
    '  {"type":"heartbeat","agentId":"a1","receivedAt":"2026-01-01T00:00:00.000Z"}',
    'Without ticks in the input, a tick is made every second of event time up to --until (default: the last event).',
    '',
    'Options:',
    '  --until <ISO>             stop at this time (events after it are ignored; ticks run up to it)',
    '  --degraded-after <dur>    platform threshold (default 3 x the declared interval)',
    '  --unreachable-after <dur> platform threshold (default 10 x the declared interval)',
    '  --stalled-after <dur>     platform threshold (default 5 x the declared interval)',
    '  --window <dur>            window length (default 1s)',
    '  --all                     also print lifecycle facts (registered, restarted, flapping cleared)',
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 1);
    const file = requirePositional(positionals, 'events file (or - for standard input)');
    let until: number | undefined;
    if (values.until !== undefined) {
      until = Date.parse(values.until);
      if (Number.isNaN(until)) throw new UsageError(`--until must be an ISO 8601 time like 2026-01-01T00:10:00Z (got "${values.until}")`);
    }
    const degradedAfterMs = duration('degraded-after', values['degraded-after']);
    const unreachableAfterMs = duration('unreachable-after', values['unreachable-after']);
    const stalledAfterMs = duration('stalled-after', values['stalled-after']);
    const windowMs = duration('window', values.window);
    if (degradedAfterMs !== undefined && unreachableAfterMs !== undefined && degradedAfterMs >= unreachableAfterMs) {
      throw new UsageError('--degraded-after must be less than --unreachable-after');
    }
    let text: string;
    try {
      text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const output = replayJsonl(text, {
      ...(until === undefined ? {} : { until }),
      ...(values.all === true ? { all: true } : {}),
      config: {
        ...(windowMs === undefined ? {} : { windowMs }),
        thresholds: {
          ...(degradedAfterMs === undefined ? {} : { degradedAfterMs }),
          ...(unreachableAfterMs === undefined ? {} : { unreachableAfterMs }),
          ...(stalledAfterMs === undefined ? {} : { stalledAfterMs }),
        },
      },
    });
    io.stdout(output);
    return 0;
  },
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
