/**
 * Where a command reads and writes: the process's streams and environment in `vigil`, memory in tests. Commands never
 * touch `process` or `console` directly, so every command can run in-process under test.
 */
export interface CliIo {
  /** Writes text (newlines included by the caller) to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes text to standard error: diagnostics, progress, never results. */
  readonly stderr: (text: string) => void;
  /** Environment variables (`VIGIL_URL`, `VIGIL_API_KEY`, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Clock in epoch ms for relative times; `Date.now` when absent. */
  readonly now?: () => number;
  /** Aborted on Ctrl-C: long-running commands (`tail`) finish cleanly and exit 0. */
  readonly signal?: AbortSignal;
}

/** One `vigil` subcommand: a file under `src/commands/`, listed in `src/commands/index.ts`. */
export interface CliCommand {
  /** The word after `vigil`. */
  readonly name: string;
  /** One line for `vigil --help`. */
  readonly summary: string;
  /** Full usage for `vigil <name> --help` and after a usage error. */
  readonly usage: string;
  /**
   * Runs with the arguments after the command name and returns the exit code. May throw a `UsageError` (exit 2) or a
   * `VigilError` (exit 1); `main` prints those.
   */
  run(argv: string[], io: CliIo): Promise<number>;
}
