import { CLIENT_FLAGS_USAGE, clientFlags, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { findCredentials } from '../client/credentials.ts';

const options = { ...clientFlags, open: { type: 'boolean' }, 'no-open': { type: 'boolean' } } as const;

/**
 * The dashboard URL that logs the browser in: the key rides in the fragment (`#key=`), which browsers never send to
 * the server, so it stays out of access logs, proxies and Referer headers; the page moves it to its own storage and
 * clears the fragment.
 */
export function dashboardUrl(url: string, apiKey: string | undefined): string {
  return `${url}/dashboard${apiKey === undefined ? '' : `#key=${encodeURIComponent(apiKey)}`}`;
}

/** `vigil dashboard`: prints (and opens, where a browser is) a URL that logs the browser in. */
export const command: CliCommand = {
  name: 'dashboard',
  summary: 'Print (and open) a dashboard URL that logs the browser in',
  usage: [
    'Usage: vigil dashboard [--no-open] [--json]',
    '',
    'Prints <url>/dashboard#key=<key>: the key is in the URL fragment, which the browser keeps to itself (never',
    'in a request or a server log). Opens it in the browser when stdout is a terminal and a browser is there.',
    'Without a key it prints the plain URL; paste the key into the page.',
    '',
    'Options:',
    '  --open             open the browser even when stdout is not a terminal',
    '  --no-open          only print the URL',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, options, 0);
    const credentials = findCredentials(values, io);
    const url = dashboardUrl(credentials.url, credentials.apiKey);
    const wantOpen = values['no-open'] !== true && (values.open === true || (io.stdoutIsTTY === true && values.json !== true));
    const opened = wantOpen && io.openUrl !== undefined ? await io.openUrl(url) : false;
    if (values.json === true) printJson(io, { url, opened, loggedIn: credentials.apiKey !== undefined });
    else {
      io.stdout(`${url}\n`);
      if (credentials.apiKey === undefined) io.stderr('No API key found: the page asks for one (or pass --api-key, set VIGIL_API_KEY, or vigil login).\n');
      else if (opened) io.stderr('Opened in your browser.\n');
    }
    return 0;
  },
};
