import { CATALOGUE, isPlatformCommand } from './commands/catalogue.ts';
import { clientLoaders } from './commands/client-loaders.ts';
import { lazy, type CommandEntry, type CommandRegistry } from './commands/command-entry.ts';
import { commandNameOf, dispatch } from './dispatch.ts';
import { processIo } from './process-io.ts';

// The entry of the bundled client (`npm run build` bundles it with esbuild into libs/cli/dist/bundle/): the commands
// that only call the API, with nothing of the platform, so `VIGIL_DIST=1 vigil summary` loads a few files and no
// resolve hook. Platform commands are listed (for --help) but handed back to bin/vigil.js, which runs them from the
// compiled build.

/** A platform command in the client's listing: never loaded here (`runClientFromProcess` hands it back first). */
function handedOver(name: string, summary: string): CommandEntry {
  return { name, summary, load: () => Promise.reject(new Error(`vigil ${name} runs the platform: bin/vigil.js runs it from dist/main.js, not the bundled client`)) };
}

/** The client's registry: every command in `--help` order, the platform ones listed only. */
export const clientCommands: CommandRegistry = CATALOGUE.map((c) => (c.kind === 'client' ? lazy(c, clientLoaders[c.name]) : handedOver(c.name, c.summary)));

/**
 * Runs a client command (or `--help`, `--version`, a usage error) with the process's arguments and returns its exit
 * code, or null when the arguments name a platform command, which the caller must run from the full build.
 */
export async function runClientFromProcess(argv: readonly string[] = process.argv.slice(2)): Promise<number | null> {
  const name = commandNameOf(argv);
  if (name !== undefined && isPlatformCommand(name)) return null;
  const { io, dispose } = processIo();
  try {
    return await dispatch(argv, io, clientCommands);
  } finally {
    dispose();
  }
}
