import type { ClientCommandName } from './catalogue.ts';
import type { CommandLoader } from './command-entry.ts';

/**
 * The loaders of the commands that only call the API. The bundled client is built from this file (through
 * `client-main.ts`), so nothing imported from here may reach the platform: the bundle's build fails if it does.
 */
export const clientLoaders: Readonly<Record<ClientCommandName, CommandLoader>> = {
  login: () => import('./login.ts'),
  agents: () => import('./agents.ts'),
  agent: () => import('./agent.ts'),
  summary: () => import('./summary.ts'),
  kill: () => import('./kill.ts'),
  resume: () => import('./resume.ts'),
  forget: () => import('./forget.ts'),
  thresholds: () => import('./thresholds.ts'),
  retention: () => import('./retention.ts'),
  webhooks: () => import('./webhooks.ts'),
  tail: () => import('./tail.ts'),
  dashboard: () => import('./dashboard.ts'),
  whoami: () => import('./whoami.ts'),
  keys: () => import('./keys.ts'),
};
