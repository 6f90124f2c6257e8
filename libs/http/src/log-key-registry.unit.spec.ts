import { createInMemoryLog, type EventLog } from '@vigil/log';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKeysTopic } from './api-key-records.ts';
import { InMemoryApiKeyResolver, keyDigest } from './api-keys.ts';
import { LogApiKeyRegistry } from './log-key-registry.ts';

const logger = pino({ level: 'silent' });
const topic = apiKeysTopic('vigil-test.');
const clock = { now: Date.UTC(2026, 0, 1) };
let log: EventLog;
const registries: LogApiKeyRegistry[] = [];

async function registry(extra: Partial<ConstructorParameters<typeof LogApiKeyRegistry>[0]> = {}): Promise<LogApiKeyRegistry> {
  const r = new LogApiKeyRegistry({ log, topic, logger, now: () => clock.now, ...extra });
  await r.start();
  registries.push(r);
  return r;
}

/** Waits for the registry's consumer (it reads at most every few ms: the log's linger) — by time, not by turns, which a fast machine runs through first. */
async function until(check: () => boolean): Promise<void> {
  const deadline = performance.now() + 2_000;
  while (!check() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(check()).toBe(true);
}

beforeEach(() => {
  log = createInMemoryLog();
});
afterEach(async () => {
  for (const r of registries.splice(0)) await r.stop();
  await log.close();
});

describe('LogApiKeyRegistry', () => {
  it('creates a key that resolves to its tenant and role, and keeps only its digest on the log', async () => {
    const keys = await registry();
    const created = await keys.create({ tenant: 'acme', role: 'agent', name: 'fleet' });
    expect(created.key).toMatch(/^vgl_[A-Za-z0-9_-]{32}$/);
    expect(keys.resolve(created.key)).toEqual({ id: created.id, tenant: 'acme', role: 'agent', name: created.name });
    const records = await log.read(topic, 0, 0, 100);
    expect(records).toHaveLength(1);
    expect(records[0]!.value).not.toContain(created.key);
    expect(records[0]!.value).toContain(keyDigest(created.key));
  });

  it('is read back by a process that starts later, and a revocation reaches a running one', async () => {
    const first = await registry();
    const created = await first.create({ tenant: 'acme', role: 'operator' });
    const second = await registry();
    expect(second.resolve(created.key)?.tenant).toBe('acme');
    await first.revoke(created.id);
    expect(first.resolve(created.key)).toBeNull();
    await until(() => second.resolve(created.key) === null);
    const third = await registry();
    expect(third.resolve(created.key)).toBeNull();
    expect(third.list()).toEqual([]);
  });

  it('lists keys without the keys, with last-used times written lazily in one batch', async () => {
    const keys = await registry({ usedFlushMs: 60_000 });
    const a = await keys.create({ tenant: 'acme', role: 'agent' });
    const b = await keys.create({ tenant: 'globex', role: 'admin', name: 'ops' });
    for (let i = 0; i < 100; i++) keys.resolve(a.key);
    expect(await log.endOffset(topic, 0)).toBe(2);
    await keys.flushUsed();
    expect(await log.endOffset(topic, 0)).toBe(3);
    const listed = keys.list();
    expect(JSON.stringify(listed)).not.toContain(a.key);
    expect(listed).toEqual([
      { id: a.id, name: 'agent key of acme', tenant: 'acme', role: 'agent', createdAt: new Date(clock.now).toISOString(), lastUsedAt: new Date(clock.now).toISOString(), static: false },
      { id: b.id, name: 'ops', tenant: 'globex', role: 'admin', createdAt: new Date(clock.now).toISOString(), lastUsedAt: null, static: false },
    ]);
    expect(keys.list({ tenant: 'globex' }).map((k) => k.id)).toEqual([b.id]);
    const restarted = await registry();
    expect(restarted.list().find((k) => k.id === a.id)?.lastUsedAt).toBe(new Date(clock.now).toISOString());
  });

  it('resolves static keys first, lists them, and refuses to revoke them or unknown ids', async () => {
    const staticKeys = new InMemoryApiKeyResolver({ 'boot-key-123': { tenant: 'default', role: 'admin', name: 'bootstrap' } });
    const keys = await registry({ staticKeys });
    expect(keys.resolve('boot-key-123')).toMatchObject({ tenant: 'default', role: 'admin', name: 'bootstrap' });
    expect(keys.list()).toMatchObject([{ name: 'bootstrap', static: true, role: 'admin' }]);
    await expect(keys.revoke(staticKeys.list()[0]!.id)).rejects.toMatchObject({ code: 'VIGIL_ERR_KEY_NOT_REVOCABLE', statusCode: 409 });
    await expect(keys.revoke('key_000000000000')).rejects.toMatchObject({ code: 'VIGIL_ERR_KEY_NOT_FOUND', statusCode: 404 });
  });

  it('skips a record that is not valid instead of stopping', async () => {
    await log.ensureTopic(topic, { partitions: 1, compact: true });
    await log.append(topic, [{ key: 'key/x', value: 'not json' }]);
    const keys = await registry();
    const created = await keys.create({ tenant: 'acme', role: 'agent' });
    expect(keys.resolve(created.key)).not.toBeNull();
  });
});
