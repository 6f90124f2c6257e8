import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson, requirePositional } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';

const options = { ...clientFlags, reason: { type: 'string' }, by: { type: 'string' } } as const;

/** `vigil resume <id>`: lift a kill; the agent takes the status its beats justify. */
export const command: CliCommand = {
  name: 'resume',
  summary: 'Resume a killed agent',
  usage: [
    'Usage: vigil resume <id> [--reason "<why>"] [--by <who>] [--json]',
    '',
    'Options:',
    '  --reason <text>    why',
    '  --by <who>         who resumes it (default: $USER)',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 1);
    const id = requirePositional(positionals, 'agent id');
    const by = values.by ?? io.env['USER'];
    await clientFrom(values, io).resume(id, values.reason, by === undefined ? {} : { by });
    if (values.json === true) printJson(io, { agentId: id, action: 'resume', accepted: true, ...(values.reason === undefined ? {} : { reason: values.reason }) });
    else io.stdout(`Resume of ${id} accepted.\n`);
    return 0;
  },
};
