import { clientFor, parseFlags, printJson, requirePositional } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { writeConfig } from '../client/config-file.ts';
import { findCredentials } from '../client/credentials.ts';
import { UsageError } from '../usage-error.ts';

const options = { 'api-key': { type: 'string' }, json: { type: 'boolean' } } as const;

/** The key to save: the flag, `VIGIL_API_KEY`, a local `vigil up`'s key file, or what the user types or pipes. */
async function keyFor(url: string, flag: string | undefined, io: CliIo): Promise<string> {
  const found = findCredentials({ url, 'api-key': flag }, { ...io, env: { ...io.env, VIGIL_CONFIG: '/nonexistent/vigil-login' } });
  if (found.apiKey !== undefined) return found.apiKey;
  if (io.readStdin === undefined) throw new UsageError('an API key is required: pass --api-key or set VIGIL_API_KEY');
  const typed = (await io.readStdin('API key: ')).trim();
  if (typed === '') throw new UsageError('an API key is required: pass --api-key, set VIGIL_API_KEY, or type or pipe it in');
  return typed;
}

/** `vigil login <url>`: checks a key against the server and saves both for the client commands. */
export const command: CliCommand = {
  name: 'login',
  summary: 'Save the URL and API key that client commands use (~/.config/vigil/config.json, mode 0600)',
  usage: [
    'Usage: vigil login <url> [--api-key <key>] [--json]',
    '',
    'Checks the key against the server, then saves URL and key to $XDG_CONFIG_HOME/vigil/config.json',
    '(default ~/.config/vigil/config.json; VIGIL_CONFIG names another file), readable by you only. Client',
    'commands use them when neither flags nor VIGIL_URL/VIGIL_API_KEY say otherwise; the key is only ever sent',
    'to the URL it was saved with.',
    '',
    'Options:',
    "  --api-key <key>    the key (else VIGIL_API_KEY, else a local vigil up's data/api-key, else typed or piped in)",
    '  --json             machine-readable output',
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 1);
    const given = requirePositional(positionals, 'server URL (e.g. vigil login http://127.0.0.1:8080)');
    const url = findCredentials({ url: given }, { ...io, env: {} }).url;
    const apiKey = await keyFor(url, values['api-key'], io);
    // A key that does not work is refused before anything is written.
    const summary = await clientFor({ apiKey, url }).summary();
    const path = writeConfig(io, { url, apiKey });
    if (values.json === true) printJson(io, { url, tenant: summary.tenant, config: path });
    else io.stdout(`Logged in to ${url} (tenant ${summary.tenant}); saved to ${path}\n`);
    return 0;
  },
};
