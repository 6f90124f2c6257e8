import { apiUrl, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';

const options = { url: { type: 'string' }, json: { type: 'boolean' } } as const;

/** `vigil dashboard`: where the dashboard page is (it is served by the query service). */
export const command: CliCommand = {
  name: 'dashboard',
  summary: 'Print the URL of the dashboard',
  usage: [
    'Usage: vigil dashboard [--url <url>] [--json]',
    '',
    'Options:',
    '  --url <url>        Vigil API (env VIGIL_URL, default http://127.0.0.1:8080)',
    '  --json             machine-readable output',
  ].join('\n'),
  run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, options, 0);
    const url = `${apiUrl(values, io)}/dashboard`;
    if (values.json === true) printJson(io, { url });
    else io.stdout(`${url}\n`);
    return Promise.resolve(0);
  },
};
