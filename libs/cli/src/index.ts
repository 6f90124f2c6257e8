// The public face of @vigil/cli: the entry points and what a new command needs (the registry lives in commands/).
export { main, mainUsage, runCommand, runFromProcess } from './main.ts';
export { runClientFromProcess } from './client-main.ts';
export type { CliCommand, CliIo } from './cli-command.ts';
export { commands, findCommand } from './commands/index.ts';
export { UsageError } from './usage-error.ts';
export { EXIT } from './exit-codes.ts';
export { processIo } from './process-io.ts';
