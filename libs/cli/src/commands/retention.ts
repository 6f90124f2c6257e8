import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { UsageError } from '../usage-error.ts';

const options = { ...clientFlags, 'forget-after': { type: 'string' } } as const;

/** `vigil retention --forget-after 3d`: how long stopped or unreachable agents are kept before being forgotten. */
export const command: CliCommand = {
  name: 'retention',
  summary: "Set the tenant's retention: stopped or unreachable agents are forgotten after it",
  usage: [
    'Usage: vigil retention --forget-after <duration|default> [--json]',
    '',
    'Options:',
    '  --forget-after <d>  e.g. 7d, 36h, 90m (at least 1s); "default" restores the platform default (7d)',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, options, 0);
    const given = values['forget-after'];
    if (given === undefined || given.trim() === '') throw new UsageError('--forget-after is required: e.g. --forget-after 7d, or default');
    const forgetAfter = given === 'default' ? null : given;
    await clientFrom(values, io).setRetention(forgetAfter);
    if (values.json === true) printJson(io, { action: 'retention', accepted: true, forgetAfter });
    else io.stdout(`Retention set: agents stopped or unreachable for ${forgetAfter ?? 'the default (7d)'} are forgotten.\n`);
    return 0;
  },
};
