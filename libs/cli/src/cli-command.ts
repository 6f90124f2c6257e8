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
  /** Whether stdout is a terminal: colours and screen redraws only then (and never under `NO_COLOR`). */
  readonly stdoutIsTTY?: boolean;
  /** Terminal rows, when stdout is a terminal (`agents --watch` fits a screen). */
  readonly rows?: number;
  /**
   * Working directory, where a local `vigil up`'s `data/api-key` is looked for; absent in tests, so they never pick up
   * a developer's key.
   */
  readonly cwd?: string;
  /** Reads standard input to its end (a key piped to `vigil login`), or one line typed after `prompt` at a terminal. */
  readonly readStdin?: (prompt: string) => Promise<string>;
  /** Opens a URL in the user's browser, resolving false where there is none (`vigil dashboard`). */
  readonly openUrl?: (url: string) => Promise<boolean>;
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
