import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo } from '../cli-command.ts';
import { UsageError } from '../usage-error.ts';
import { readConfig } from './config-file.ts';

/** Where the API is when nothing says otherwise: the embedded server of `vigil up`. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Where a client command's URL and key came from (said in `vigil login` and in errors). */
export type CredentialSource = 'flag' | 'env' | 'config' | 'data-dir' | 'default';

/** The URL and key a client command calls with. */
export interface Credentials {
  readonly url: string;
  readonly urlFrom: CredentialSource;
  readonly apiKey: string | undefined;
  readonly keyFrom: CredentialSource | undefined;
}

/** The flags every client command takes. */
export interface CredentialFlags {
  readonly url?: string | undefined;
  readonly 'api-key'?: string | undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function normaliseUrl(url: string, from: string): string {
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`${from} must be an http(s) URL, got '${url}'`);
  return url.replace(/\/+$/, '');
}

/** Whether a URL points at this machine, where a local `vigil up`'s key file is worth trying. */
function isLocal(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}

/** The key a local `vigil up` wrote (`$VIGIL_DATA/api-key`, else `./data/api-key` of the working directory). */
function dataDirKey(io: CliIo): string | undefined {
  if (io.cwd === undefined) return undefined;
  const file = resolve(io.cwd, nonEmpty(io.env['VIGIL_DATA']) ?? 'data', 'api-key');
  try {
    return nonEmpty(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/**
 * Finds the URL and key, first match wins: flags (`--url`, `--api-key`), the environment (`VIGIL_URL`,
 * `VIGIL_API_KEY`), the saved login (`vigil login`; its key only for its own URL), then, for a URL on this machine,
 * the `data/api-key` a local `vigil up` wrote. The key may be undefined; `requireKey` says how to give one.
 */
export function findCredentials(flags: CredentialFlags, io: CliIo): Credentials {
  const flagUrl = nonEmpty(flags.url);
  const envUrl = nonEmpty(io.env['VIGIL_URL']);
  const saved = readConfig(io)?.config;
  let url: string;
  let urlFrom: CredentialSource;
  if (flagUrl !== undefined) [url, urlFrom] = [normaliseUrl(flagUrl, '--url'), 'flag'];
  else if (envUrl !== undefined) [url, urlFrom] = [normaliseUrl(envUrl, 'VIGIL_URL'), 'env'];
  else if (saved !== undefined) [url, urlFrom] = [normaliseUrl(saved.url, 'the saved url'), 'config'];
  else [url, urlFrom] = [DEFAULT_URL, 'default'];

  const flagKey = nonEmpty(flags['api-key']);
  const envKey = nonEmpty(io.env['VIGIL_API_KEY']);
  if (flagKey !== undefined) return { url, urlFrom, apiKey: flagKey, keyFrom: 'flag' };
  if (envKey !== undefined) return { url, urlFrom, apiKey: envKey, keyFrom: 'env' };
  // A saved key belongs to the server it was saved for: never send it to another one.
  if (saved !== undefined && normaliseUrl(saved.url, 'the saved url') === url) return { url, urlFrom, apiKey: saved.apiKey, keyFrom: 'config' };
  const local = isLocal(url) ? dataDirKey(io) : undefined;
  if (local !== undefined) return { url, urlFrom, apiKey: local, keyFrom: 'data-dir' };
  return { url, urlFrom, apiKey: undefined, keyFrom: undefined };
}

/** The key of credentials, or a usage error that lists every way to give one. */
export function requireKey(credentials: Pick<Credentials, 'url' | 'apiKey'>): string {
  if (credentials.apiKey !== undefined) return credentials.apiKey;
  throw new UsageError(
    `an API key is required for ${credentials.url}: pass --api-key, set VIGIL_API_KEY, run 'vigil login <url>', or run where a local 'vigil up' keeps data/api-key`,
  );
}
