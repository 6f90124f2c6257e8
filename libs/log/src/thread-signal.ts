import { BroadcastChannel } from 'node:worker_threads';

/**
 * A process-wide wake-up signal keyed by name: `raiseThreadSignal` calls every listener of the key in this thread at
 * once and, through a `BroadcastChannel` of the same name, every listener in the process's other threads (embedded
 * mode runs its writers on a worker thread; what they append or fold must wake the HTTP thread's readers and the
 * reverse). Keys starting with `memory:` stay in their thread: an in-memory database cannot be shared with another.
 * A signal carries one string (a topic, say); it says "look again", never the data itself.
 */
const listeners = new Map<string, Set<(detail: string) => void>>();
const channels = new Map<string, BroadcastChannel>();

function callListeners(key: string, detail: string): void {
  const set = listeners.get(key);
  if (set === undefined) return;
  for (const listener of [...set]) listener(detail);
}

function channelFor(key: string): BroadcastChannel | null {
  if (key.startsWith('memory:')) return null;
  let channel = channels.get(key);
  if (channel === undefined) {
    channel = new BroadcastChannel(`vigil-signal:${key}`);
    channel.onmessage = (event: unknown) => {
      const data = (event as { data?: unknown }).data;
      if (typeof data === 'string') callListeners(key, data);
    };
    // A signal channel alone never keeps a thread alive.
    channel.unref();
    channels.set(key, channel);
  }
  return channel;
}

/** Registers a listener for `key` in this thread (and opens the key's channel to the other threads); returns its removal. */
export function onThreadSignal(key: string, listener: (detail: string) => void): () => void {
  let set = listeners.get(key);
  if (set === undefined) {
    set = new Set();
    listeners.set(key, set);
  }
  set.add(listener);
  channelFor(key);
  return () => {
    const current = listeners.get(key);
    if (current === undefined) return;
    current.delete(listener);
    if (current.size === 0) listeners.delete(key);
  };
}

/** Wakes every listener of `key` in every thread of the process with `detail` (call after the commit it announces). */
export function raiseThreadSignal(key: string, detail: string): void {
  callListeners(key, detail);
  channelFor(key)?.postMessage(detail);
}
