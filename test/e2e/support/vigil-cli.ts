import { execFile } from 'node:child_process';
import { REPO_ROOT, VIGIL_BIN } from './repo-root.ts';

/** What one run of the `vigil` command printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and with what environment the CLI runs (on top of the test's own, minus its VIGIL_* variables). */
export interface CliRunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** A CLI call is one short process; a cold tsx start on a loaded machine takes seconds, never this long. */
const CLI_TIMEOUT_MS = 60_000;

/**
 * Runs `node libs/cli/bin/vigil.js <args...>` as an operator would and resolves with its exit code and output (a
 * non-zero exit is a result, not an error). `execFile`'s timeout SIGKILLs a hung CLI, so nothing outlives the call.
 */
export function runVigilCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_'))), ...options.env };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [VIGIL_BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env, timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(new Error(`vigil ${args.join(' ')} failed to run: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}
