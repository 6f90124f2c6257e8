import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { formatPairs } from '../format/table.ts';

/** `vigil summary`: fleet counts per status. */
export const command: CliCommand = {
  name: 'summary',
  summary: 'Count agents per status for the tenant',
  usage: ['Usage: vigil summary [--json]', '', 'Options:', CLIENT_FLAGS_USAGE].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, clientFlags, 0);
    const s = await clientFrom(values, io).summary();
    if (values.json === true) {
      printJson(io, s);
      return 0;
    }
    io.stdout(
      formatPairs([
        ['tenant', s.tenant],
        ['total', String(s.total)],
        ['healthy', String(s.healthy)],
        ['degraded', String(s.degraded)],
        ['unreachable', String(s.unreachable)],
        ['stalled', String(s.stalled)],
        ['killed', String(s.killed)],
        ['stopped', String(s.stopped)],
        ['deliverable', String(s.deliverable)],
        ['flapping', String(s.flapping)],
      ]),
    );
    return 0;
  },
};
