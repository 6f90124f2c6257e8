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
export function memoryIo(options: { env?: Record<string, string | undefined>; now?: () => number; signal?: AbortSignal } = {}): MemoryIo {
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
    },
    stdout: () => out,
    stderr: () => err,
  };
}
