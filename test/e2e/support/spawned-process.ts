import { spawn, type ChildProcess } from 'node:child_process';

/** How a process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Most output kept per stream: enough to diagnose a failure, bounded however chatty the process is. */
const MAX_OUTPUT_CHARS = 1_000_000;

/** Process groups still running; killed when the test worker exits, so not even a crashed test leaks processes. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
});

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * A child process started by a test, in a process group of its own, so that teardown can end it together with
 * everything it spawned (the demo agents of `vigil up --demo`). Its stdout and stderr are collected.
 */
export class SpawnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  #stdout = '';
  #stderr = '';

  constructor(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
    this.child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (this.child.pid === undefined) throw new Error(`could not spawn ${command} ${args.join(' ')}`);
    this.pid = this.child.pid;
    liveGroups.add(this.pid);
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.#stdout = keep(this.#stdout + chunk)));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr = keep(this.#stderr + chunk)));
    // 'exit', not 'close': the pipes stay open while any grandchild holding them lives, and that is what we check.
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => liveGroups.delete(this.pid));
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal to this process only (not its group), as an operator or a supervisor would. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Resolves with the exit, or rejects (with the process's stderr) if it takes longer than `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ProcessExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`pid ${this.pid} still running after ${timeoutMs} ms; stderr:\n${this.stderr.slice(-4000)}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first or time runs out. */
  async waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.#stdout.match(pattern);
      if (match !== null) return match;
      if (!this.running) throw new Error(`pid ${this.pid} exited before printing ${pattern}; stdout:\n${this.stdout}\nstderr:\n${this.stderr.slice(-4000)}`);
      if (Date.now() >= deadline) throw new Error(`pid ${this.pid} did not print ${pattern} within ${timeoutMs} ms; stdout:\n${this.stdout}\nstderr:\n${this.stderr.slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Teardown: SIGKILLs the whole process group (a stopped process dies of SIGKILL too) and waits for this process
   * to be gone. Safe to call on a process that already exited.
   */
  async destroy(timeoutMs = 10_000): Promise<void> {
    killGroup(this.pid, 'SIGKILL');
    await this.waitForExit(timeoutMs);
  }
}

function keep(text: string): string {
  return text.length > MAX_OUTPUT_CHARS ? text.slice(-MAX_OUTPUT_CHARS) : text;
}
