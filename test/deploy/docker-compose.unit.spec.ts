import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { serveConfigFromEnv } from '../../libs/cli/src/serve/serve-config.ts';
import { SERVICES, type ServiceName } from '../../libs/cli/src/serve/serve-variables.ts';

/**
 * No Docker engine runs on the development or CI machines, so docker-compose.yml cannot be brought up here. What can be
 * checked is that every Vigil service in it would pass `vigil serve`'s own start-up validation with the environment the
 * file gives it, so the file cannot drift from the configuration schema unnoticed.
 */
interface ComposeService {
  command?: string[];
  environment?: Record<string, string | number>;
}

const compose = parse(readFileSync(join(import.meta.dirname, '..', '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

describe('docker-compose.yml', () => {
  const vigil = Object.entries(compose.services).filter(([, s]) => s.command?.[0] === 'serve');

  it('runs every Vigil service', () => {
    expect(vigil.map(([, s]) => s.command?.[1]).sort()).toEqual([...SERVICES].sort());
  });

  it.each(vigil.map(([name, s]) => [name, s] as const))('gives %s an environment that vigil serve accepts', (_name, service) => {
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
    expect(() => serveConfigFromEnv(service.command![1] as ServiceName, env)).not.toThrow();
  });
});
