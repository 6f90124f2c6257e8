import type { CliIo } from '../cli-command.ts';

/** Resolves on SIGINT/SIGTERM (or the io's abort signal), whichever comes first. */
export function waitForStop(io: CliIo): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGTERM', done);
      process.off('SIGINT', done);
      io.signal?.removeEventListener('abort', done);
      resolve();
    };
    if (io.signal?.aborted === true) return resolve();
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
    io.signal?.addEventListener('abort', done, { once: true });
  });
}
