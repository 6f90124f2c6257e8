// Node --import preload for start-up measurements: at exit, writes the process's own CPU time (user + system, from
// its start, node's bootstrap included) to stderr as one `vigil-cpu-ms <n>` line, for the test to take and strip.
import { writeSync } from 'node:fs';
import process from 'node:process';

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  writeSync(2, `\nvigil-cpu-ms ${((user + system) / 1000).toFixed(1)}\n`);
});
