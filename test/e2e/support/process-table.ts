import { readdirSync, readFileSync } from 'node:fs';

/** State letter and parent of a process from `/proc/<pid>/stat`, or null once it is gone. */
function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** Whether a process still exists; a zombie (exited, waiting to be reaped) counts as gone. */
export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== 'Z';
}

/** Whether a process is stopped (SIGSTOP): alive but frozen. */
export function isStopped(pid: number): boolean {
  return stat(pid)?.state === 'T';
}

/** The live child processes of `pid` whose command line contains `commandPart`, from the Linux process table. */
export function childPids(pid: number, commandPart: string): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = Number(entry);
    if (stat(child)?.ppid !== pid || !isAlive(child)) continue;
    try {
      if (readFileSync(`/proc/${child}/cmdline`, 'utf8').includes(commandPart)) children.push(child);
    } catch {
      // It exited while we looked.
    }
  }
  return children;
}
