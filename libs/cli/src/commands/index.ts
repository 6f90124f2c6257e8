import type { CliCommand } from '../cli-command.ts';
import { command as agent } from './agent.ts';
import { command as agents } from './agents.ts';
import { command as dashboard } from './dashboard.ts';
import { command as forget } from './forget.ts';
import { command as replay } from './replay.ts';
import { command as up } from './up.ts';
import { command as kill } from './kill.ts';
import { command as resume } from './resume.ts';
import { command as retention } from './retention.ts';
import { command as serve } from './serve.ts';
import { command as summary } from './summary.ts';
import { command as tail } from './tail.ts';
import { command as thresholds } from './thresholds.ts';

/**
 * Every `vigil` command, in the order `vigil --help` lists them. To add one, write `src/commands/<name>.ts`
 * exporting `command` and add it here.
 */
export const commands: readonly CliCommand[] = [up, serve, agents, agent, summary, kill, resume, forget, thresholds, retention, tail, replay, dashboard];

/** The command of that name, if any. */
export function findCommand(name: string): CliCommand | undefined {
  return commands.find((c) => c.name === name);
}
