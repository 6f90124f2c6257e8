import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore, NewStreamEvent, StoredEvent, StoreSubscription } from '../src/event-store-port.ts';

/** Makes a fresh store for one test, and the function that disposes of it. */
export type EventStoreFactory = () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>;

/** Longest a test waits for something asynchronous (a subscription, retention by age) before failing. */
const WAIT_MS = 15_000;
const POLL_MS = 25;

/** Polls `check` until it returns a value other than undefined, or fails after a bounded wait. */
async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function newStream(): string {
  return `agent-test-${randomUUID()}`;
}

function events(count: number, type = 'test-event'): NewStreamEvent[] {
  return Array.from({ length: count }, (_, i) => ({ id: randomUUID(), type, data: { n: i, nested: { list: [1, 'two', null] } } }));
}

function expectStrictlyIncreasing(positions: readonly bigint[]): void {
  for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);
}

/**
 * The contract every `EventStore` adapter passes (ARCHITECTURE.md, Testing). It assumes only what EventStoreDB
 * guarantees: positions increase but need not be contiguous, other tests may write to the same store at the same
 * time (every test uses its own `agent-test-<uuid>` streams), and asynchronous effects are awaited by bounded polling.
 */
export function eventStoreContractSuite(name: string, factory: EventStoreFactory): void {
  describe(`${name} (EventStore contract)`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    const subscriptions: StoreSubscription[] = [];
    const subscriptionErrors: unknown[] = [];

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.close()));
      subscriptionErrors.length = 0;
      await cleanup();
    });

    /** Waits for a subscription to have delivered `count` events, failing at once if one reported an error. */
    function delivered(what: string, received: readonly StoredEvent[], count: number): Promise<true> {
      return waitFor(what, () => {
        if (subscriptionErrors.length > 0) throw subscriptionErrors[0];
        return received.length >= count ? true : undefined;
      });
    }

    /** Subscribes to the test's own prefix and collects what arrives. */
    async function collect(prefix: string, fromPosition?: bigint): Promise<{ received: StoredEvent[]; subscription: StoreSubscription }> {
      const received: StoredEvent[] = [];
      const subscription = await store.subscribeToAll({
        streamPrefix: prefix,
        ...(fromPosition === undefined ? {} : { fromPosition }),
        onEvent: (event) => {
          received.push(event);
        },
        onError: (err) => {
          subscriptionErrors.push(err);
        },
      });
      subscriptions.push(subscription);
      return { received, subscription };
    }

    it('reads an absent stream as empty, in both directions', async () => {
      const stream = newStream();
      expect(await store.readStream(stream)).toEqual([]);
      expect(await store.readStream(stream, { direction: 'backwards' })).toEqual([]);
    });

    it('appends to a new stream and reads back every field, in order from revision 0', async () => {
      const stream = newStream();
      const batch: NewStreamEvent[] = [
        { id: randomUUID(), type: 'first', data: { a: 1, nested: { b: [true, null, 'x'] } }, metadata: { correlationId: 'c-1' } },
        { id: randomUUID(), type: 'second', data: { a: 2 } },
      ];
      const result = await store.appendToStream(stream, batch, 'no_stream');
      expect(result.nextExpectedRevision).toBe(1);

      const read = await store.readStream(stream);
      expect(read.map((e) => e.revision)).toEqual([0, 1]);
      expect(read.map((e) => e.id)).toEqual(batch.map((e) => e.id));
      expect(read.map((e) => e.type)).toEqual(['first', 'second']);
      expect(read[0]!.data).toEqual({ a: 1, nested: { b: [true, null, 'x'] } });
      expect(read[0]!.metadata).toMatchObject({ correlationId: 'c-1' });
      expect(read[1]!.metadata).toBeTypeOf('object');
      expect(read.every((e) => e.streamName === stream)).toBe(true);
      expect(read.every((e) => Number.isFinite(e.createdAt) && e.createdAt > 0)).toBe(true);
      expect(read.every((e) => typeof e.position === 'bigint')).toBe(true);
      expectStrictlyIncreasing(read.map((e) => e.position));
    });

    it('appends at the expected revision, chaining nextExpectedRevision', async () => {
      const stream = newStream();
      const first = await store.appendToStream(stream, events(2), 'no_stream');
      const second = await store.appendToStream(stream, events(3), first.nextExpectedRevision);
      expect(second.nextExpectedRevision).toBe(4);
      expect(second.position > first.position).toBe(true);
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    });

    it('rejects an append at the wrong revision with a 409 and leaves the stream unchanged', async () => {
      const stream = newStream();
      await store.appendToStream(stream, events(2), 'no_stream');
      for (const expected of [0, 5]) {
        const err = await store.appendToStream(stream, events(1), expected).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toMatchObject({ code: 'VIGIL_ERR_WRONG_EXPECTED_REVISION', statusCode: 409, retriable: false });
      }
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('rejects no_stream on an existing stream and stream_exists on an absent one', async () => {
      const existing = newStream();
      await store.appendToStream(existing, events(1), 'no_stream');
      await expect(store.appendToStream(existing, events(1), 'no_stream')).rejects.toMatchObject({
        code: 'VIGIL_ERR_WRONG_EXPECTED_REVISION',
      });
      const absent = newStream();
      await expect(store.appendToStream(absent, events(1), 'stream_exists')).rejects.toMatchObject({
        code: 'VIGIL_ERR_WRONG_EXPECTED_REVISION',
      });
      expect(await store.readStream(absent)).toEqual([]);
      const ok = await store.appendToStream(existing, events(1), 'stream_exists');
      expect(ok.nextExpectedRevision).toBe(1);
    });

    it('appends with any whether or not the stream exists', async () => {
      const stream = newStream();
      expect((await store.appendToStream(stream, events(1), 'any')).nextExpectedRevision).toBe(0);
      expect((await store.appendToStream(stream, events(2), 'any')).nextExpectedRevision).toBe(2);
    });

    it('treats re-appending the same event ids at the same place as a no-op success', async () => {
      const stream = newStream();
      const batch = events(2);
      const first = await store.appendToStream(stream, batch, 'no_stream');
      const again = await store.appendToStream(stream, batch, 'no_stream');
      expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);

      const more = events(3);
      const second = await store.appendToStream(stream, more, 1);
      const secondAgain = await store.appendToStream(stream, more, 1);
      expect(secondAgain.nextExpectedRevision).toBe(second.nextExpectedRevision);

      const read = await store.readStream(stream);
      expect(read.map((e) => e.id)).toEqual([...batch, ...more].map((e) => e.id));
    });

    it('reads forwards and backwards from a revision, at most maxCount events', async () => {
      const stream = newStream();
      await store.appendToStream(stream, events(10), 'no_stream');
      const revisions = async (options: Parameters<EventStore['readStream']>[1]) => (await store.readStream(stream, options)).map((e) => e.revision);
      expect(await revisions({ fromRevision: 3, maxCount: 4 })).toEqual([3, 4, 5, 6]);
      expect(await revisions({ fromRevision: 8 })).toEqual([8, 9]);
      expect(await revisions({ direction: 'backwards', maxCount: 3 })).toEqual([9, 8, 7]);
      expect(await revisions({ direction: 'backwards', fromRevision: 2 })).toEqual([2, 1, 0]);
      expect(await revisions({ direction: 'backwards', fromRevision: 6, maxCount: 2 })).toEqual([6, 5]);
      expect(await revisions({ fromRevision: 10 })).toEqual([]);
    });

    it('gives later appends greater positions, across streams too', async () => {
      const a = newStream();
      const b = newStream();
      const first = await store.appendToStream(a, events(2), 'no_stream');
      const second = await store.appendToStream(b, events(2), 'no_stream');
      const third = await store.appendToStream(a, events(1), 1);
      expect(second.position > first.position).toBe(true);
      expect(third.position > second.position).toBe(true);
      const readA = await store.readStream(a);
      const readB = await store.readStream(b);
      expect(readB[0]!.position > readA[1]!.position).toBe(true);
      expect(readA[2]!.position > readB[1]!.position).toBe(true);
    });

    it('catches a subscription up on past events, then delivers live ones, in store order, only for its prefix', async () => {
      const prefix = newStream();
      const s1 = `${prefix}-one`;
      const s2 = `${prefix}-two`;
      const outsider = newStream();
      await store.appendToStream(s1, events(2), 'no_stream');
      await store.appendToStream(outsider, events(1), 'no_stream');
      await store.appendToStream(s2, events(1), 'no_stream');

      const { received } = await collect(prefix);
      await delivered('catch-up events', received, 3);

      await store.appendToStream(s1, events(1), 1);
      await store.appendToStream(s2, events(2), 0);
      await delivered('live events', received, 6);

      expect(received).toHaveLength(6);
      expect(received.map((e) => `${e.streamName === s1 ? 'one' : 'two'}@${e.revision}`)).toEqual([
        'one@0',
        'one@1',
        'two@0',
        'one@2',
        'two@1',
        'two@2',
      ]);
      expectStrictlyIncreasing(received.map((e) => e.position));
      expect(received.some((e) => e.streamName === outsider)).toBe(false);
    });

    it('resumes a subscription after a position, exclusive', async () => {
      const prefix = newStream();
      const stream = `${prefix}-s`;
      await store.appendToStream(stream, events(4), 'no_stream');
      const all = await store.readStream(stream);
      const { received } = await collect(prefix, all[1]!.position);
      await delivered('events after the position', received, 2);
      await store.appendToStream(stream, events(1), 3);
      await delivered('the live event', received, 3);
      expect(received.map((e) => e.revision)).toEqual([2, 3, 4]);
    });

    it('stops delivering once a subscription is closed', async () => {
      const prefix = newStream();
      const stream = `${prefix}-s`;
      const { received, subscription } = await collect(prefix);
      await store.appendToStream(stream, events(1), 'no_stream');
      await delivered('the first event', received, 1);
      await subscription.close();
      await store.appendToStream(stream, events(2), 0);
      // A second subscription sees the later events, so the first one has had every chance to see them too.
      const { received: witness } = await collect(prefix);
      await delivered('the witness to see every event', witness, 3);
      expect(received).toHaveLength(1);
    });

    it('keeps only the newest maxCount events, without reusing revisions', async () => {
      const stream = newStream();
      await store.appendToStream(stream, events(5), 'no_stream');
      await store.setStreamRetention(stream, { maxCount: 2 });
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([3, 4]);

      const next = await store.appendToStream(stream, events(1), 4);
      expect(next.nextExpectedRevision).toBe(5);
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([4, 5]);
      expect((await store.readStream(stream, { direction: 'backwards' })).map((e) => e.revision)).toEqual([5, 4]);
      await expect(store.appendToStream(stream, events(1), 'no_stream')).rejects.toMatchObject({
        code: 'VIGIL_ERR_WRONG_EXPECTED_REVISION',
      });
    });

    it('applies a retention set before the stream exists', async () => {
      const stream = newStream();
      await store.setStreamRetention(stream, { maxCount: 3 });
      await store.appendToStream(stream, events(2), 'no_stream');
      await store.appendToStream(stream, events(3), 1);
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([2, 3, 4]);
    });

    it('drops events older than maxAgeMs, and later appends continue the revisions', async () => {
      const stream = newStream();
      await store.appendToStream(stream, events(3), 'no_stream');
      await store.setStreamRetention(stream, { maxAgeMs: 1000 });
      await waitFor('events to age out', async () => ((await store.readStream(stream)).length === 0 ? true : undefined));

      const next = await store.appendToStream(stream, events(1), 2);
      expect(next.nextExpectedRevision).toBe(3);
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([3]);
    });

    it('appends to several streams in one call, each as appendToStream would, retention first where given', async () => {
      const a = newStream();
      const b = newStream();
      const first = await store.appendToStreams([
        { streamName: a, events: events(2), expectedRevision: 'no_stream' },
        { streamName: b, events: events(5), expectedRevision: 'any', retention: { maxCount: 3 } },
      ]);
      expect(first.map((r) => r.nextExpectedRevision)).toEqual([1, 4]);
      const again = events(1);
      const second = await store.appendToStreams([{ streamName: a, events: again, expectedRevision: 1 }]);
      expect(second[0]!.nextExpectedRevision).toBe(2);
      expect((await store.readStream(a)).map((e) => e.revision)).toEqual([0, 1, 2]);
      expect((await store.readStream(b)).map((e) => e.revision)).toEqual([2, 3, 4]);
      // Re-appending the same ids is a no-op success, as for appendToStream.
      const replay = await store.appendToStreams([{ streamName: a, events: again, expectedRevision: 'any' }]);
      expect(replay[0]!.nextExpectedRevision).toBe(2);
      expect(await store.readStream(a)).toHaveLength(3);
    });

    it('deletes a stream: it reads as empty, and a later append starts it again with only the new events', async () => {
      const stream = newStream();
      const other = newStream();
      await store.appendToStream(stream, events(3), 'no_stream');
      await store.appendToStream(other, events(1), 'no_stream');
      await store.deleteStream(stream);
      expect(await store.readStream(stream)).toEqual([]);
      expect(await store.readStream(stream, { direction: 'backwards' })).toEqual([]);
      expect(await store.readStream(other)).toHaveLength(1);

      const again = events(2);
      await store.appendToStream(stream, again, 'no_stream');
      const read = await store.readStream(stream);
      expect(read.map((e) => e.id)).toEqual(again.map((e) => e.id));
      expectStrictlyIncreasing(read.map((e) => e.revision).map(BigInt));
    });

    it('deletes an absent stream as a no-op, and twice in a row', async () => {
      const stream = newStream();
      await store.deleteStream(stream);
      await store.appendToStream(stream, events(1), 'any');
      await store.deleteStream(stream);
      await store.deleteStream(stream);
      expect(await store.readStream(stream)).toEqual([]);
    });

    it('reports itself ready', async () => {
      expect(await store.isReady()).toBe(true);
    });
  });
}
