import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson, requirePositional } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { UsageError } from '../usage-error.ts';

const options = { ...clientFlags, reason: { type: 'string' }, by: { type: 'string' } } as const;

/** `vigil kill <id>`: stop an agent on purpose; it stays killed until resumed. */
export const command: CliCommand = {
  name: 'kill',
  summary: 'Kill an agent: it stops receiving work and its next beat tells it to stop',
  usage: [
    'Usage: vigil kill <id> --reason "<why>" [--by <who>] [--json]',
    '',
    'Options:',
    '  --reason <text>    why (required; shown to operators and in the audit trail)',
    '  --by <who>         who kills it (default: $USER)',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 1);
    const id = requirePositional(positionals, 'agent id');
    if (values.reason === undefined || values.reason.trim() === '') throw new UsageError('--reason is required: say why the agent is killed');
    const by = values.by ?? io.env['USER'];
    await clientFrom(values, io).kill(id, values.reason, by === undefined ? {} : { by });
    if (values.json === true) printJson(io, { agentId: id, action: 'kill', accepted: true, reason: values.reason, ...(by === undefined ? {} : { by }) });
    else io.stdout(`Kill of ${id} accepted; it takes effect at the next window and the agent learns it on its next beat.\n`);
    return 0;
  },
};
