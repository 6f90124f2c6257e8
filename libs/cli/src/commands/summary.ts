import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { paletteFor } from '../format/colour.ts';
import { summaryLine } from '../format/summary-line.ts';

/** `vigil summary`: the fleet in one line. */
export const command: CliCommand = {
  name: 'summary',
  summary: 'One line of counts per status for the tenant',
  usage: [
    'Usage: vigil summary [--json]',
    '',
    'Prints e.g. "Summary: 2 healthy, 1 degraded, 1 unreachable, 1 killed" (statuses without agents left out);',
    '--json prints every count, deliverable and flapping included.',
    '',
    'Options:',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, clientFlags, 0);
    const s = await clientFrom(values, io).summary();
    if (values.json === true) printJson(io, s);
    else io.stdout(`${summaryLine(s, paletteFor(io))}\n`);
    return 0;
  },
};
