import type { CliCommand } from '../cli-command.ts';
import { CATALOGUE, type PlatformCommandName } from './catalogue.ts';
import { clientLoaders } from './client-loaders.ts';
import { findIn, lazy, type CommandLoader, type CommandRegistry } from './command-entry.ts';

export type { CommandEntry, CommandRegistry } from './command-entry.ts';

const platformLoaders: Readonly<Record<PlatformCommandName, CommandLoader>> = {
  up: () => import('./up.ts'),
  serve: () => import('./serve.ts'),
  replay: () => import('./replay.ts'),
};

/** Every `vigil` command, in the order `vigil --help` lists them (see `catalogue.ts` to add one). */
export const commands: CommandRegistry = CATALOGUE.map((c) => lazy(c, c.kind === 'client' ? clientLoaders[c.name] : platformLoaders[c.name]));

/** The command of that name, loaded, if any. */
export function findCommand(name: string): Promise<CliCommand | undefined> {
  return findIn(commands, name);
}
