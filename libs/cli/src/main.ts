import type { CliIo } from './cli-command.ts';
import { commands } from './commands/index.ts';
import { dispatch, usageOf } from './dispatch.ts';
import { processIo } from './process-io.ts';

export { runCommand } from './dispatch.ts';

/** `vigil --help`: the commands and the flags they share. */
export function mainUsage(): string {
  return usageOf(commands);
}

/**
 * Runs `vigil` (every command) with the arguments after the program name and returns the exit code: 0 done, 1 the
 * API failed (message names the error code), 2 the command line is wrong (message and usage on stderr).
 */
export function main(argv: readonly string[], io: CliIo): Promise<number> {
  return dispatch(argv, io, commands);
}

/** Entry point of `bin/vigil.js` (sources, or the compiled build): runs with the process's arguments, streams and environment. */
export async function runFromProcess(): Promise<number> {
  const { io, dispose } = processIo();
  try {
    return await main(process.argv.slice(2), io);
  } finally {
    dispose();
  }
}
