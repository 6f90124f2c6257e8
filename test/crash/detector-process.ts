import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const VIGIL_BIN = fileURLToPath(new URL('../../libs/cli/bin/vigil.js', import.meta.url));

/** A `vigil serve detector` child process. */
export interface DetectorProcess {
  readonly child: ChildProcess;
  /** Base URL of its /healthz, /readyz and /metrics, once it printed its ready line. */
  readonly url: string;
  /** Resolves with the exit code (or the signal's name) when the process is gone. */
  readonly exited: Promise<number | string>;
  /** What it wrote on stderr (JSON logs), for failure messages. */
  stderr(): string;
}

/**
 * Starts `vigil serve detector` as a real process on an embedded log file and resolves when it says it is ready.
 * The parent's `VIGIL_*` variables are not passed on: the child sees only the settings of the test.
 */
export async function startDetectorProcess(logFile: string, extraEnv: Readonly<Record<string, string>> = {}): Promise<DetectorProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('VIGIL_')) env[k] = v;
  Object.assign(env, { VIGIL_LOG: `sqlite:${logFile}`, VIGIL_PORT: '0', VIGIL_LOG_LEVEL: 'warn' }, extraEnv);
  const child = spawn(process.execPath, [VIGIL_BIN, 'serve', 'detector'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /vigil detector ready on (\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`vigil serve detector exited (${code}) before it was ready:\n${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr };
}
