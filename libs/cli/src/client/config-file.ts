import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { CliIo } from '../cli-command.ts';
import { UsageError } from '../usage-error.ts';

/** What `vigil login` saves: where the API is and the key to call it with. */
export const CliConfig = z.strictObject({
  url: z.string().regex(/^https?:\/\/[^/]/, 'must be an http(s) URL'),
  apiKey: z.string().min(1),
});
/** The saved login. */
export type CliConfig = z.infer<typeof CliConfig>;

/**
 * `$VIGIL_CONFIG`, else `$XDG_CONFIG_HOME/vigil/config.json`, else `~/.config/vigil/config.json`; undefined when the
 * environment names no home (as in-process tests run).
 */
export function configPath(io: CliIo): string | undefined {
  const explicit = io.env['VIGIL_CONFIG'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = io.env['XDG_CONFIG_HOME'];
  if (xdg !== undefined && xdg !== '') return join(xdg, 'vigil', 'config.json');
  const home = io.env['HOME'];
  if (home !== undefined && home !== '') return join(home, '.config', 'vigil', 'config.json');
  return undefined;
}

/** The saved login, null when there is none; a file that is there but unusable is an error that names it. */
export function readConfig(io: CliIo): { path: string; config: CliConfig } | null {
  const path = configPath(io);
  if (path === undefined) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`cannot read the config file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`the config file ${path} is not JSON; run 'vigil login <url>' again or delete it`);
  }
  const parsed = CliConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`the config file ${path} is invalid (${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}); run 'vigil login <url>' again`);
  }
  return { path, config: parsed.data };
}

/** Saves the login readable by its owner only (0600, in a 0700 directory), replacing the old file atomically. */
export function writeConfig(io: CliIo, config: CliConfig): string {
  const path = configPath(io);
  if (path === undefined) throw new UsageError('cannot tell where to save the login: set HOME, XDG_CONFIG_HOME or VIGIL_CONFIG');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // The mode of writeFileSync is filtered by the umask; the key must never be group- or world-readable.
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return path;
}
