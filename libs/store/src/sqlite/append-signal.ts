import { resolve } from 'node:path';
import type Database from 'better-sqlite3';

/**
 * In-process wake-up of live subscriptions: an append rings every subscription on the same file at once, whichever
 * store instance (or handle) made it. Other processes are not reached this way; their subscriptions poll.
 */
const listeners = new Map<string, Set<() => void>>();
const memoryKeys = new WeakMap<Database.Database, string>();
let memoryCounter = 0;

/** The key under which appends to this handle's file are signalled: the absolute path, or one key per in-memory handle. */
export function appendSignalKey(db: Database.Database): string {
  if (!db.memory) return `file:${resolve(db.name)}`;
  let key = memoryKeys.get(db);
  if (key === undefined) {
    key = `memory:${++memoryCounter}`;
    memoryKeys.set(db, key);
  }
  return key;
}

/** Registers a listener for appends under `key`; returns its removal. */
export function onAppendSignal(key: string, listener: () => void): () => void {
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

/** Wakes every listener under `key` (after a commit, so what they read is there). */
export function signalAppend(key: string): void {
  const set = listeners.get(key);
  if (set === undefined) return;
  for (const listener of [...set]) listener();
}
