import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const VIGIL_BIN = fileURLToPath(new URL('../../libs/cli/bin/vigil.js', import.meta.url));

/** A `vigil serve detector` (or projector) child process. */
export interface DetectorProcess {
  readonly child: ChildProcess;
  /** Base URL of its /healthz, /readyz and /metrics. */
  readonly url: string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** The tail of its stderr (JSON logs), for failure messages. */
  stderr(): string;
  /** A counter of its `vigil_detector` (or `vigil_projector`) gauge (`partitions`, `batches`, ...), scraped from /metrics. */
  counter(name: string): Promise<number>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `vigil serve detector` as a real process on a log (`sqlite:<file>` or `kafka:<brokers>`), with extra settings
 * such as the topic prefix, and resolves once it printed its ready line (it has joined its consumer group). The
 * parent's `VIGIL_*` variables are not passed on: the child sees only the test's settings.
 */
export function startDetectorProcess(log: string, extraEnv: Readonly<Record<string, string>> = {}): Promise<DetectorProcess> {
  return startServeProcess('detector', log, extraEnv);
}

/** A `vigil serve detector|projector` child process; `counter` reads its `vigil_<service>` gauge. */
export type ServeProcess = DetectorProcess;

/**
 * Starts `vigil serve <service>` (a consumer service: detector or projector) as a real process on a log, as
 * `startDetectorProcess` does; a projector also needs `VIGIL_STORE` and `VIGIL_READ_MODEL` in `extraEnv`.
 */
export async function startServeProcess(service: 'detector' | 'projector', log: string, extraEnv: Readonly<Record<string, string>> = {}): Promise<ServeProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('VIGIL_')) env[k] = v;
  Object.assign(env, { VIGIL_LOG: log, VIGIL_PORT: '0', VIGIL_LOG_LEVEL: 'warn' }, extraEnv);
  const child = spawn(process.execPath, [VIGIL_BIN, 'serve', service], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = new RegExp(`vigil ${service} ready on (\\S+)`).exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`vigil serve ${service} exited (${code}) before it was ready:\n${stderr}`)));
  });
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    url,
    exited,
    stderr: () => stderr,
    async counter(name) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const match = new RegExp(`^vigil_${service}\\{counter="${name}"\\} (\\S+)$`, 'm').exec(text);
      return match ? Number(match[1]) : 0;
    },
    async stop(graceMs = 10_000) {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
