import { describe, expect, it } from 'vitest';
import { memoryIo } from '../testing/index.ts';
import { clientCommands, runClientFromProcess } from './client-main.ts';
import { CATALOGUE, isPlatformCommand } from './commands/catalogue.ts';
import { commands, findCommand } from './commands/index.ts';
import { commandNameOf, dispatch } from './dispatch.ts';
import { main } from './main.ts';

describe('vigil main', () => {
  it('prints the command list on --help and exits 0', async () => {
    const m = memoryIo();
    expect(await main(['--help'], m.io)).toBe(0);
    for (const c of commands) expect(m.stdout()).toContain(c.name);
    expect(m.stderr()).toBe('');
  });

  it('prints each command usage on "<cmd> --help" and "help <cmd>"', async () => {
    for (const entry of commands) {
      const c = (await findCommand(entry.name))!;
      expect(c.summary).toBe(entry.summary);
      const m = memoryIo();
      expect(await main([c.name, '--help'], m.io)).toBe(0);
      expect(m.stdout()).toBe(`${c.usage}\n`);
      const h = memoryIo();
      expect(await main(['help', c.name], h.io)).toBe(0);
      expect(h.stdout()).toBe(`${c.usage}\n`);
    }
    // Loads every command module (vigil up's pulls in the whole platform): slow on a busy machine, not a timing test.
  }, 60_000);

  it('exits 2 with a message and the usage for a missing or unknown command', async () => {
    const none = memoryIo();
    expect(await main([], none.io)).toBe(2);
    expect(none.stderr()).toMatch(/missing command[\s\S]*Usage: vigil <command>/);
    const unknown = memoryIo();
    expect(await main(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.stderr()).toMatch(/unknown command 'frobnicate'[\s\S]*Usage: vigil <command>/);
  });

  it('exits 2 for an unknown flag, before or after the command', async () => {
    const before = memoryIo();
    expect(await main(['--loud', 'agents'], before.io)).toBe(2);
    expect(before.stderr()).toContain("unknown option '--loud'");
    const after = memoryIo({ env: { VIGIL_API_KEY: 'k' } });
    expect(await main(['agents', '--loud'], after.io)).toBe(2);
    expect(after.stderr()).toMatch(/vigil agents: unknown option '--loud'[\s\S]*Usage: vigil agents/);
    expect(after.stdout()).toBe('');
  });

  it('exits 2 when no API key is given', async () => {
    const m = memoryIo();
    expect(await main(['summary'], m.io)).toBe(2);
    expect(m.stderr()).toContain('VIGIL_API_KEY');
    expect(m.stderr()).toContain('vigil login');
  });

  it('loads no command module for --help: the list comes from the registry alone', async () => {
    const m = memoryIo();
    expect(await main(['--help'], m.io)).toBe(0);
    expect(m.stdout()).toContain('login');
    expect(m.stdout()).toContain('--api-key');
  });

  it('prints the dashboard URL without calling the API', async () => {
    const m = memoryIo({ env: { VIGIL_URL: 'http://vigil.example:9000/' } });
    expect(await main(['dashboard'], m.io)).toBe(0);
    expect(m.stdout()).toBe('http://vigil.example:9000/dashboard\n');
    const j = memoryIo();
    expect(await main(['dashboard', '--json'], j.io)).toBe(0);
    expect(JSON.parse(j.stdout())).toEqual({ url: 'http://127.0.0.1:8080/dashboard', opened: false, loggedIn: false });
  });
});

describe('the bundled client (client-main.ts)', () => {
  it('lists every command, in the same order and words as the full CLI, and prints the same --help', async () => {
    expect(clientCommands.map((c) => [c.name, c.summary])).toEqual(commands.map((c) => [c.name, c.summary]));
    const full = memoryIo();
    const client = memoryIo();
    await main(['--help'], full.io);
    await dispatch(['--help'], client.io, clientCommands);
    expect(client.stdout()).toBe(full.stdout());
  });

  it('loads the client commands itself and never a platform one', async () => {
    for (const entry of clientCommands) {
      if (isPlatformCommand(entry.name)) await expect(entry.load()).rejects.toThrow('runs the platform');
      else expect((await entry.load()).summary).toBe(entry.summary);
    }
    expect(CATALOGUE.filter((c) => c.kind === 'platform').map((c) => c.name)).toEqual(['up', 'serve', 'replay']);
  });

  it('hands platform commands back (null) before touching the process, in every spelling', async () => {
    for (const argv of [['up'], ['serve', 'query'], ['replay', '-', '--until', 'x'], ['help', 'up'], ['up', '--help']]) {
      expect(await runClientFromProcess(argv), argv.join(' ')).toBeNull();
    }
  });

  it('names the command the arguments run', () => {
    expect(commandNameOf(['summary', '--json'])).toBe('summary');
    expect(commandNameOf(['help', 'keys'])).toBe('keys');
    expect(commandNameOf(['help'])).toBeUndefined();
    expect(commandNameOf(['--help'])).toBeUndefined();
    expect(commandNameOf(['--', 'up'])).toBeUndefined();
  });
});
