import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventStoreContractSuite } from '../../testing/index.ts';
import type { NewStreamEvent, StoredEvent } from '../event-store-port.ts';
import { InvalidStoreOptionsError, StoreClosedError } from '../errors.ts';
import { openSqliteDatabase } from './open-database.ts';
import { SqliteEventStore } from './sqlite-event-store.ts';

const run = promisify(execFile);

function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function events(count: number): NewStreamEvent[] {
  return Array.from({ length: count }, (_, i) => ({ id: randomUUID(), type: 'test-event', data: { n: i } }));
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

eventStoreContractSuite('SqliteEventStore on a file', async () => {
  const { dir, remove } = tempDir();
  const store = new SqliteEventStore({ path: join(dir, 'store.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      remove();
    },
  };
});

eventStoreContractSuite('SqliteEventStore on a shared handle', async () => {
  const { dir, remove } = tempDir();
  const db = openSqliteDatabase(join(dir, 'shared.db'));
  const store = new SqliteEventStore({ database: db });
  return {
    store,
    cleanup: async () => {
      await store.close();
      db.close();
      remove();
    },
  };
});

describe('SqliteEventStore', () => {
  let dir: string;
  let remove: () => void;
  const open: SqliteEventStore[] = [];
  const storeAt = (file = 'store.db', extra: { pollIntervalMs?: number } = {}) => {
    const store = new SqliteEventStore({ path: join(dir, file), ...extra });
    open.push(store);
    return store;
  };

  beforeEach(() => {
    ({ dir, remove } = tempDir());
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    remove();
  });

  it('appends to several streams all or nothing: one wrong revision leaves every stream as it was', async () => {
    const store = storeAt();
    const [a, b] = [`agent-a-${randomUUID()}`, `agent-b-${randomUUID()}`];
    await store.appendToStream(b, events(1), 'no_stream');
    await expect(
      store.appendToStreams([
        { streamName: a, events: events(2), expectedRevision: 'no_stream', retention: { maxCount: 1 } },
        { streamName: b, events: events(1), expectedRevision: 'no_stream' },
      ]),
    ).rejects.toMatchObject({ code: 'VIGIL_ERR_WRONG_EXPECTED_REVISION' });
    expect(await store.readStream(a)).toEqual([]);
    expect(await store.readStream(b)).toHaveLength(1);
    // The retention of the refused call was not kept either.
    await store.appendToStream(a, events(3), 'no_stream');
    expect(await store.readStream(a)).toHaveLength(3);
  });

  it('returns from an append the position its last event is read back at', async () => {
    const store = storeAt();
    const result = await store.appendToStream('agent-t-a', events(3), 'no_stream');
    const read = await store.readStream('agent-t-a');
    expect(result.position).toBe(read[2]!.position);
  });

  it('treats re-appending the same ids with any as a no-op', async () => {
    const store = storeAt();
    const batch = events(2);
    await store.appendToStream('agent-t-a', batch, 'any');
    await store.appendToStream('agent-t-a', events(1), 'any');
    const again = await store.appendToStream('agent-t-a', batch, 'any');
    expect(again.nextExpectedRevision).toBe(1);
    expect(await store.readStream('agent-t-a')).toHaveLength(3);
  });

  it('refuses a re-append whose ids only partly match what is there', async () => {
    const store = storeAt();
    const batch = events(2);
    await store.appendToStream('agent-t-a', batch, 'no_stream');
    await expect(store.appendToStream('agent-t-a', [batch[0]!, ...events(1)], 'no_stream')).rejects.toMatchObject({
      code: 'VIGIL_ERR_WRONG_EXPECTED_REVISION',
      details: { streamName: 'agent-t-a', expectedRevision: 'no_stream', actualRevision: 1 },
    });
  });

  it('remembers the last revision and truncation point across a reopen', async () => {
    const first = storeAt();
    await first.appendToStream('agent-t-a', events(5), 'no_stream');
    await first.setStreamRetention('agent-t-a', { maxCount: 1 });
    await first.close();
    const second = storeAt();
    expect((await second.readStream('agent-t-a')).map((e) => e.revision)).toEqual([4]);
    expect((await second.appendToStream('agent-t-a', events(1), 4)).nextExpectedRevision).toBe(5);
  });

  it('never hands out a position twice, even after retention deleted the newest events', async () => {
    const store = storeAt();
    const a = await store.appendToStream('agent-t-a', events(1), 'no_stream');
    await store.setStreamRetention('agent-t-a', { maxAgeMs: 1000 });
    expect(store.sweepRetention(Date.now() + 5000)).toBe(1);
    const b = await store.appendToStream('agent-t-b', events(1), 'no_stream');
    expect(b.position > a.position).toBe(true);
  });

  it('sweeps events past their maximum age and leaves younger streams alone', async () => {
    const store = storeAt();
    await store.appendToStream('agent-t-old', events(3), 'no_stream');
    await store.appendToStream('agent-t-kept', events(2), 'no_stream');
    await store.setStreamRetention('agent-t-old', { maxAgeMs: 60_000 });
    expect(store.sweepRetention(Date.now() + 61_000)).toBe(3);
    expect(await store.readStream('agent-t-kept')).toHaveLength(2);
    expect((await store.appendToStream('agent-t-old', events(1), 2)).nextExpectedRevision).toBe(3);
  });

  it('refuses a retention EventStoreDB could not honour', async () => {
    const store = storeAt();
    await expect(store.setStreamRetention('agent-t-a', { maxAgeMs: 10 })).rejects.toBeInstanceOf(InvalidStoreOptionsError);
    await expect(store.setStreamRetention('agent-t-a', { maxCount: 0 })).rejects.toMatchObject({
      code: 'VIGIL_ERR_INVALID_STORE_OPTIONS',
      details: { field: 'maxCount' },
    });
  });

  it('wakes a subscription of another store instance on the same file without waiting for the poll', async () => {
    const writer = storeAt();
    const reader = storeAt('store.db', { pollIntervalMs: 60_000 });
    const received: StoredEvent[] = [];
    await reader.subscribeToAll({ onEvent: (e) => void received.push(e) });
    await writer.appendToStream('agent-t-a', events(2), 'no_stream');
    await waitFor('the woken subscription', () => received.length === 2);
  });

  it('follows appends made by another process through the shared file', async () => {
    const file = join(dir, 'store.db');
    const reader = storeAt('store.db', { pollIntervalMs: 20 });
    const received: StoredEvent[] = [];
    await reader.subscribeToAll({ streamPrefix: 'agent-t-', onEvent: (e) => void received.push(e) });
    const moduleUrl = pathToFileURL(join(import.meta.dirname, 'sqlite-event-store.ts')).href;
    const script = `
      const { SqliteEventStore } = await import(${JSON.stringify(moduleUrl)});
      const store = new SqliteEventStore({ path: ${JSON.stringify(file)} });
      await store.appendToStream('agent-t-child', [{ id: 'e-1', type: 't', data: {} }, { id: 'e-2', type: 't', data: {} }], 'no_stream');
      await store.close();`;
    await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
    await waitFor('events from the other process', () => received.length === 2);
    expect(received.map((e) => e.id)).toEqual(['e-1', 'e-2']);
  }, 60_000);

  it('stops a subscription whose handler throws and reports the error', async () => {
    const store = storeAt();
    await store.appendToStream('agent-t-a', events(3), 'no_stream');
    const seen: number[] = [];
    const errors: unknown[] = [];
    await store.subscribeToAll({
      onEvent: (e) => {
        seen.push(e.revision);
        if (e.revision === 1) throw new Error('handler broke');
      },
      onError: (err) => errors.push(err),
    });
    await waitFor('the error', () => errors.length === 1);
    expect(seen).toEqual([0, 1]);
    expect((errors[0] as Error).message).toBe('handler broke');
  });

  it('lets a handler close its own subscription', async () => {
    const store = storeAt();
    await store.appendToStream('agent-t-a', events(3), 'no_stream');
    const seen: number[] = [];
    let closed = false;
    const subscription = await store.subscribeToAll({
      onEvent: async (e) => {
        seen.push(e.revision);
        await subscription.close();
        closed = true;
      },
    });
    await waitFor('the handler to close it', () => closed);
    expect(seen).toEqual([0]);
  });

  it('refuses to be used after close, and is no longer ready', async () => {
    const store = storeAt();
    await store.close();
    expect(await store.isReady()).toBe(false);
    await expect(store.readStream('agent-t-a')).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('leaves a shared handle open when it closes', async () => {
    const db = openSqliteDatabase(join(dir, 'shared.db'));
    const store = new SqliteEventStore({ database: db });
    await store.close();
    expect(db.open).toBe(true);
    db.close();
  });

  it('rejects options that give both a path and a handle', () => {
    const db = openSqliteDatabase(':memory:');
    expect(() => new SqliteEventStore({ path: join(dir, 'x.db'), database: db })).toThrow(/exactly one of "path"/);
    db.close();
  });
});
