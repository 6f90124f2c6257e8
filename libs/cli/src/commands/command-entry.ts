import type { CliCommand } from '../cli-command.ts';
import type { CatalogueEntry } from './catalogue.ts';

/**
 * A command as `vigil --help` lists it, loaded only when run: a client command must not pay for importing the
 * platform (fastify, SQLite, kafkajs) at every start.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<CliCommand>;
}

/** The commands one entry point knows, in `--help` order (the full CLI, or the bundled client). */
export type CommandRegistry = readonly CommandEntry[];

/** How a command module is loaded: a dynamic `import()` of `src/commands/<name>.ts`. */
export type CommandLoader = () => Promise<{ command: CliCommand }>;

/** The registry entry of a catalogued command, loaded by `load` when run. */
export function lazy(entry: CatalogueEntry, load: CommandLoader): CommandEntry {
  return { name: entry.name, summary: entry.summary, load: async () => (await load()).command };
}

/** The command of that name in a registry, loaded, if any. */
export async function findIn(registry: CommandRegistry, name: string): Promise<CliCommand | undefined> {
  return registry.find((c) => c.name === name)?.load();
}
