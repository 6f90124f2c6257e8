import type { CliIo } from './cli-command.ts';
import { openUrl } from './open-url.ts';

/**
 * The real process as a `CliIo`: stdout/stderr, the environment, and a signal aborted by the first Ctrl-C (or
 * SIGTERM) so that `tail` ends cleanly; a second Ctrl-C exits at once.
 */
export function processIo(): { io: CliIo; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `vigil tail | head` closes our stdout: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') controller.abort();
  });
  return {
    io: {
      stdout: (text) => void process.stdout.write(text),
      stderr: (text) => void process.stderr.write(text),
      env: process.env,
      signal: controller.signal,
      stdoutIsTTY: process.stdout.isTTY === true,
      ...(process.stdout.isTTY === true && process.stdout.rows > 0 ? { rows: process.stdout.rows } : {}),
      cwd: process.cwd(),
      readStdin: async (prompt) => {
        if (process.stdin.isTTY === true) {
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(prompt);
          } finally {
            rl.close();
          }
        }
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
        return Buffer.concat(chunks).toString('utf8');
      },
      openUrl: (url) => openUrl(url),
    },
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
