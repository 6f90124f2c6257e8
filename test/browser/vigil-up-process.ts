import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A real `vigil up` process, as an operator starts it, for whole-system tests. */
export interface VigilUpProcess {
  /** Base URL, read from the `Vigil is up at <url>` line it prints. */
  readonly url: string;
  /** Everything it wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VIGIL_BIN = join(REPO_ROOT, 'libs', 'cli', 'bin', 'vigil.js');
const UP_LINE = /Vigil is up at (http:\/\/\S+)/;

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Spawns `node libs/cli/bin/vigil.js up <args>` and waits until it says where it listens (or fails, with its output). */
export async function startVigilUp(args: readonly string[], startTimeoutMs = 60_000): Promise<VigilUpProcess> {
  const child = spawn(process.execPath, [VIGIL_BIN, 'up', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));

  let stopping: Promise<void> | null = null;
  const stop = (graceMs = 10_000): Promise<void> =>
    (stopping ??= (async () => {
      if (exited(child)) return;
      child.kill('SIGTERM');
      if (await waitForExit(child, graceMs)) return;
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    })());

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`vigil up did not start within ${startTimeoutMs} ms:\n${output}`)), startTimeoutMs);
      const onData = (): void => {
        const match = UP_LINE.exec(output);
        if (!match?.[1]) return;
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(match[1]);
      };
      child.stdout.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`vigil up exited (${signal ?? code}) before it was up:\n${output}`));
      });
    });
    return { url, output: () => output, stop };
  } catch (err) {
    await stop(2_000);
    throw err;
  }
}
