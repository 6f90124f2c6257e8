import { CLIENT_FLAGS_USAGE, clientFlags, clientFor, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { findCredentials, type CredentialSource } from '../client/credentials.ts';

/** Where the key came from, as a person would name it. */
const KEY_SOURCE: Readonly<Record<CredentialSource, string>> = {
  flag: '--api-key',
  env: 'VIGIL_API_KEY',
  config: "the saved 'vigil login'",
  'data-dir': "the local vigil up's data/api-key",
  default: 'the default',
};

/** `vigil whoami`: which key the client commands use, as the server knows it (id, tenant, role, name). */
export const command: CliCommand = {
  name: 'whoami',
  summary: 'Show the API key the client commands use: its id, tenant, role and name (never the key)',
  usage: [
    'Usage: vigil whoami [--json]',
    '',
    'Asks the server (GET /v1/whoami) who the key found by the usual rules is, and prints one line, e.g.',
    '  operator key "ops laptop" (key_3f2a9c01b7de) of tenant acme at http://127.0.0.1:8080; key from VIGIL_API_KEY',
    '--json prints {keyId, tenant, role, name, url}. Any valid key may ask; an unknown or revoked one fails (exit 1).',
    '',
    'Options:',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, clientFlags, 0);
    const credentials = findCredentials(values, io);
    const me = await clientFor(credentials).whoami();
    if (values.json === true) printJson(io, { ...me, url: credentials.url });
    else {
      const source = credentials.keyFrom === undefined ? '' : `; key from ${KEY_SOURCE[credentials.keyFrom]}`;
      io.stdout(`${me.role} key ${JSON.stringify(me.name)} (${me.keyId}) of tenant ${me.tenant} at ${credentials.url}${source}\n`);
    }
    return 0;
  },
};
