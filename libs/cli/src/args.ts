import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { VigilClient } from '@vigil/sdk';
import type { CliIo } from './cli-command.ts';
import { UsageError } from './usage-error.ts';

/** The `options` of a `parseArgs` config (the type itself is not exported by @types/node 20). */
export type FlagsConfig = NonNullable<ParseArgsConfig['options']>;

/** What `parseFlags` returns for a given flags config: values typed per flag, and the positionals. */
export type ParsedFlags<O extends FlagsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** Where the API is when neither `--url` nor `VIGIL_URL` says: the embedded server of `vigil up`. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Flags of every command that calls the API. */
export const clientFlags = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies FlagsConfig;

/** Usage lines of `clientFlags`, appended to each command's usage. */
export const CLIENT_FLAGS_USAGE = [
  '  --url <url>        Vigil API (env VIGIL_URL, default http://127.0.0.1:8080)',
  '  --api-key <key>    Bearer API key (env VIGIL_API_KEY)',
  '  --json             machine-readable output',
].join('\n');

/** Parses a command's flags strictly; every `parseArgs` complaint becomes a `UsageError`. */
export function parseFlags<const O extends FlagsConfig>(argv: string[], options: O, maxPositionals: number): ParsedFlags<O> {
  let parsed: ParsedFlags<O>;
  try {
    parsed = parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // parseArgs adds advice about '--' that only confuses here; keep the first sentence.
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw new UsageError(unknown === null ? message : `unknown option '${unknown[1] ?? ''}'`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals] ?? ''}'`);
  }
  return parsed;
}

/** The API base URL from `--url`, `VIGIL_URL` or the default. */
export function apiUrl(values: { url?: string | undefined }, io: CliIo): string {
  // An empty VIGIL_URL (as left by `export VIGIL_URL=`) means unset.
  const url = values.url ?? (io.env['VIGIL_URL'] || undefined) ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be an http(s) URL, got '${url}'`);
  return url.replace(/\/+$/, '');
}

/** A client for the flags given; the API key is required. */
export function clientFrom(values: { url?: string | undefined; 'api-key'?: string | undefined }, io: CliIo): VigilClient {
  const apiKey = values['api-key'] ?? io.env['VIGIL_API_KEY'];
  if (apiKey === undefined || apiKey === '') throw new UsageError('an API key is required: pass --api-key or set VIGIL_API_KEY');
  return new VigilClient({ apiKey, url: apiUrl(values, io) });
}

/** The one required positional argument (an agent id). */
export function requirePositional(positionals: string[], what: string): string {
  const value = positionals[0];
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
}

/** Prints a value as one JSON document (the `--json` output of every command). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
