import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson, requirePositional } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';

const options = { ...clientFlags, reason: { type: 'string' }, by: { type: 'string' } } as const;

/** `vigil forget <id>`: remove an agent from the fleet (it comes back as new if it beats again). */
export const command: CliCommand = {
  name: 'forget',
  summary: 'Forget an agent: its status, transitions, metrics and history are deleted',
  usage: [
    'Usage: vigil forget <id> [--reason "<why>"] [--by <who>] [--json]',
    '',
    'The agent leaves the fleet and makes no further transitions; if it beats again it comes back as a new agent.',
    'Agents stopped or unreachable longer than the tenant retention (default 7d) are forgotten automatically',
    '(vigil retention shows it; vigil retention set 3d changes it).',
    '',
    'Options:',
    '  --reason <text>    why (recorded in the agent-forgotten event)',
    '  --by <who>         who forgets it (default: $USER)',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 1);
    const id = requirePositional(positionals, 'agent id');
    const by = values.by ?? io.env['USER'];
    await clientFrom(values, io).forget(id, { ...(values.reason === undefined ? {} : { reason: values.reason }), ...(by === undefined ? {} : { by }) });
    if (values.json === true) printJson(io, { agentId: id, action: 'forget', accepted: true, ...(by === undefined ? {} : { by }) });
    else io.stdout(`Forgetting ${id}: it leaves the fleet at the next window; if it beats again it comes back as new.\n`);
    return 0;
  },
};
