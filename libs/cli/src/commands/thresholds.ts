import type { ThresholdValue, ThresholdsInput } from '@vigil/sdk';
import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { UsageError } from '../usage-error.ts';

const options = {
  ...clientFlags,
  'degraded-after': { type: 'string' },
  'unreachable-after': { type: 'string' },
  'stalled-after': { type: 'string' },
} as const;

const DURATION = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/;
const CLEAR = new Set(['default', 'none', 'null', 'clear']);

/** `90s`, `5m`, `1h30m` stay text (the server parses them), digits are ms, `default` clears the override. */
function thresholdValue(flag: string, text: string | undefined): ThresholdValue | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (CLEAR.has(t)) return null;
  if (/^\d+$/.test(t)) return Number(t);
  if (DURATION.test(t)) return t;
  throw new UsageError(`--${flag} must be a duration such as 90s, 5m, 1h30m, a number of ms, or 'default', got '${text}'`);
}

/** `vigil thresholds [<id>]`: tune when silence counts as degraded, unreachable or stalled. */
export const command: CliCommand = {
  name: 'thresholds',
  summary: "Set an agent's thresholds, or the tenant's when no id is given",
  usage: [
    'Usage: vigil thresholds [<id>] [--degraded-after <d>] [--unreachable-after <d>] [--stalled-after <d>] [--json]',
    '',
    'Durations look like 90s, 5m, 1h30m or a number of ms; "default" clears an override.',
    '',
    'Options:',
    '  --degraded-after <d>     silence before an agent counts as degraded',
    '  --unreachable-after <d>  silence before it counts as unreachable (no new work)',
    '  --stalled-after <d>      work in flight without progress before it counts as stalled',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 1);
    const id = positionals[0];
    const degradedAfter = thresholdValue('degraded-after', values['degraded-after']);
    const unreachableAfter = thresholdValue('unreachable-after', values['unreachable-after']);
    const stalledAfter = thresholdValue('stalled-after', values['stalled-after']);
    const body: ThresholdsInput = {
      ...(degradedAfter === undefined ? {} : { degradedAfter }),
      ...(unreachableAfter === undefined ? {} : { unreachableAfter }),
      ...(stalledAfter === undefined ? {} : { stalledAfter }),
    };
    if (Object.keys(body).length === 0) throw new UsageError('give at least one of --degraded-after, --unreachable-after, --stalled-after');
    await clientFrom(values, io).setThresholds(body, id);
    const scope = id === undefined ? 'the tenant' : id;
    if (values.json === true) printJson(io, { scope: id === undefined ? 'tenant' : 'agent', ...(id === undefined ? {} : { agentId: id }), thresholds: body });
    else {
      const set = Object.entries(body).map(([k, v]) => `${k}=${v === null ? 'default' : String(v)}`);
      io.stdout(`Thresholds of ${scope} set: ${set.join(' ')}\n`);
    }
    return 0;
  },
};
