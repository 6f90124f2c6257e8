import { resolve } from 'node:path';

/**
 * In-process wake-up of consumers: an append rings every consumer of the same file at once, whichever `EmbeddedLog`
 * instance made it, so latency inside one process is not bound by the poll interval. Other processes are not reached
 * this way; their consumers notice through `PRAGMA data_version` polling.
 */
const listeners = new Map<string, Set<(topic: string) => void>>();
let memoryCounter = 0;

/** The key under which appends to a file are signalled: its absolute path, or a fresh key per in-memory database. */
export function appendNotifierKey(path: string): string {
  return path === ':memory:' ? `memory:${++memoryCounter}` : `file:${resolve(path)}`;
}

/** Registers a listener for appends under `key`; returns its removal. */
export function onAppend(key: string, listener: (topic: string) => void): () => void {
  let set = listeners.get(key);
  if (set === undefined) {
    set = new Set();
    listeners.set(key, set);
  }
  set.add(listener);
  return () => {
    const current = listeners.get(key);
    if (current === undefined) return;
    current.delete(listener);
    if (current.size === 0) listeners.delete(key);
  };
}

/** Wakes every listener under `key` for `topic` (call after the commit, so what they read is there). */
export function notifyAppend(key: string, topic: string): void {
  const set = listeners.get(key);
  if (set === undefined) return;
  for (const listener of [...set]) listener(topic);
}
