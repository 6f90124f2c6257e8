import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { VigilClient } from '@vigil/sdk';
import type { CliIo } from './cli-command.ts';
import { findCredentials, requireKey, type CredentialFlags, type Credentials } from './client/credentials.ts';
import { httpFetch } from './client/http-fetch.ts';
import { UsageError } from './usage-error.ts';

/** The `options` of a `parseArgs` config (the type itself is not exported by @types/node 20). */
export type FlagsConfig = NonNullable<ParseArgsConfig['options']>;

/** What `parseFlags` returns for a given flags config: values typed per flag, and the positionals. */
export type ParsedFlags<O extends FlagsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

export { DEFAULT_URL } from './client/credentials.ts';

/** Flags of every command that calls the API. */
export const clientFlags = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies FlagsConfig;

export { CLIENT_FLAGS_USAGE } from './client/client-flags-usage.ts';

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

/** The API base URL from `--url`, `VIGIL_URL`, the saved login or the default. */
export function apiUrl(values: CredentialFlags, io: CliIo): string {
  return findCredentials(values, io).url;
}

/** A client for the flags given, the key found as `findCredentials` says; no key is a usage error naming the ways. */
export function clientFrom(values: CredentialFlags, io: CliIo): VigilClient {
  return clientFor(findCredentials(values, io));
}

/** A client for credentials already found, over the CLI's own transport (`httpFetch`: no undici at start-up). */
export function clientFor(credentials: Pick<Credentials, 'url' | 'apiKey'>): VigilClient {
  return new VigilClient({ apiKey: requireKey(credentials), url: credentials.url, fetch: httpFetch });
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
