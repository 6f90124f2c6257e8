import { parseArgs } from 'node:util';
import type { CliCommand, CliIo } from './cli-command.ts';
import { CLIENT_FLAGS_USAGE } from './client/client-flags-usage.ts';
import { findIn, type CommandRegistry } from './commands/command-entry.ts';
import { EXIT } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';
import { cliVersion } from './version.ts';

// The dispatcher of both entry points, over the registry each one has: `main.ts` (every command) and
// `client-main.ts` (the bundled client: the commands that only call the API). It imports no command itself.

/** `vigil --help`: the commands and the flags they share. */
export function usageOf(commands: CommandRegistry): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: vigil <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options of the commands that call the API:',
    CLIENT_FLAGS_USAGE,
    '',
    "Run 'vigil <command> --help' for a command's options.",
  ].join('\n');
}

/** Whether the arguments ask for help (`--help`/`-h` before a `--`). */
function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** The first positional argument and where it is, or undefined; `vigil help <cmd>` names `<cmd>`. */
function parseCommandLine(argv: readonly string[]) {
  const { tokens } = parseArgs({
    args: [...argv],
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const first = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
  const globals = tokens.filter((t) => t.kind === 'option' && (first === undefined || t.index < first.index));
  return { first, globals };
}

/**
 * The command the arguments name (`vigil <name> ...`, `vigil help <name>`), or undefined: lets the bundled client
 * hand a platform command to the full build before it runs anything.
 */
export function commandNameOf(argv: readonly string[]): string | undefined {
  const { first } = parseCommandLine(argv);
  if (first === undefined || first.kind !== 'positional') return undefined;
  return first.value === 'help' ? (argv[first.index + 1] ?? undefined) : first.value;
}

/**
 * Runs `vigil` over a registry with the arguments after the program name and returns the exit code: 0 done, 1 the
 * API failed (message names the error code), 2 the command line is wrong (message and usage on stderr).
 */
export async function dispatch(argv: readonly string[], io: CliIo, commands: CommandRegistry): Promise<number> {
  const mainUsage = (): string => usageOf(commands);
  const { first, globals } = parseCommandLine(argv);
  for (const t of globals) {
    if (t.kind === 'option' && t.name !== 'help' && t.name !== 'version') {
      io.stderr(`vigil: unknown option '${t.rawName}' (command options go after the command)\n\n${mainUsage()}\n`);
      return EXIT.usage;
    }
  }
  const globalNames = new Set(globals.map((t) => (t.kind === 'option' ? t.name : '')));
  if (first === undefined || first.kind !== 'positional') {
    if (globalNames.has('help')) {
      io.stdout(`${mainUsage()}\n`);
      return EXIT.ok;
    }
    if (globalNames.has('version')) {
      io.stdout(`${cliVersion()}\n`);
      return EXIT.ok;
    }
    io.stderr(`vigil: missing command\n\n${mainUsage()}\n`);
    return EXIT.usage;
  }
  let name = first.value;
  let rest = argv.slice(first.index + 1);
  if (name === 'help') {
    // `vigil help [<command>]` is `vigil [<command>] --help`.
    if (rest[0] === undefined) {
      io.stdout(`${mainUsage()}\n`);
      return EXIT.ok;
    }
    name = rest[0];
    rest = ['--help'];
  }
  const command = await findIn(commands, name);
  if (command === undefined) {
    io.stderr(`vigil: unknown command '${name}'\n\n${mainUsage()}\n`);
    return EXIT.usage;
  }
  if (globalNames.has('help') || wantsHelp(rest)) {
    io.stdout(`${command.usage}\n`);
    return EXIT.ok;
  }
  return runCommand(command, [...rest], io);
}

/** A `VigilError` (of the SDK, contracts or a service), recognised by shape so `main` need not import them. */
function isVigilError(err: unknown): err is Error & { code: string; details?: Readonly<Record<string, unknown>> } {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('VIGIL_ERR_');
}

/** Runs one command, turning what it throws into a message and an exit code. */
export async function runCommand(command: CliCommand, argv: string[], io: CliIo): Promise<number> {
  try {
    return await command.run(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`vigil ${command.name}: ${err.message}\n\n${command.usage}\n`);
      return EXIT.usage;
    }
    const json = argv.includes('--json');
    if (isVigilError(err)) {
      const field = typeof err.details?.['field'] === 'string' ? err.details['field'] : undefined;
      if (json) io.stderr(`${JSON.stringify({ error: { code: err.code, message: err.message, ...(field === undefined ? {} : { field }) } })}\n`);
      else io.stderr(`vigil ${command.name}: ${err.code}: ${err.message}${field === undefined ? '' : ` (field: ${field})`}\n`);
      return EXIT.failure;
    }
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    io.stderr(`vigil ${command.name}: unexpected error: ${message}\n`);
    return EXIT.failure;
  }
}
