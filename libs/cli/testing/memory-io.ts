import type { CliIo } from '../src/cli-command.ts';

/** An in-memory `CliIo` and what was written to it, so tests run commands in-process. */
export interface MemoryIo {
  readonly io: CliIo;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
}

/** Builds an in-memory `CliIo` over the given environment, clock and signal. */
export function memoryIo(
  options: {
    env?: Record<string, string | undefined>;
    now?: () => number;
    signal?: AbortSignal;
    stdoutIsTTY?: boolean;
    cwd?: string;
    stdin?: string;
    openUrl?: (url: string) => Promise<boolean>;
  } = {},
): MemoryIo {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (text) => {
        out += text;
      },
      stderr: (text) => {
        err += text;
      },
      env: options.env ?? {},
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.stdoutIsTTY === undefined ? {} : { stdoutIsTTY: options.stdoutIsTTY }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.stdin === undefined ? {} : { readStdin: () => Promise.resolve(options.stdin ?? '') }),
      ...(options.openUrl === undefined ? {} : { openUrl: options.openUrl }),
    },
    stdout: () => out,
    stderr: () => err,
  };
}
