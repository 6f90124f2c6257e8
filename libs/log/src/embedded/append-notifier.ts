import { resolve } from 'node:path';
import { onThreadSignal, raiseThreadSignal } from '../thread-signal.ts';

/**
 * Wake-up of consumers: an append rings every consumer of the same file at once, whichever `EmbeddedLog` instance
 * made it and in whichever thread of this process, so latency inside one process is not bound by the poll interval.
 * Other processes are not reached this way; their consumers notice through `PRAGMA data_version` polling.
 */
let memoryCounter = 0;

/** The key under which appends to a file are signalled: its absolute path, or a fresh key per in-memory database. */
export function appendNotifierKey(path: string): string {
  return path === ':memory:' ? `memory:log:${++memoryCounter}` : `log:file:${resolve(path)}`;
}

/** Registers a listener for appends under `key`; returns its removal. */
export function onAppend(key: string, listener: (topic: string) => void): () => void {
  return onThreadSignal(key, listener);
}

/** Wakes every listener under `key` for `topic` (call after the commit, so what they read is there). */
export function notifyAppend(key: string, topic: string): void {
  raiseThreadSignal(key, topic);
}
