import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { onThreadSignal, raiseThreadSignal } from './thread-signal.ts';

// A worker in plain JS that speaks the signal's channel (`vigil-signal:<key>`) directly: it echoes what it hears
// back to this thread through parentPort, and raises `from-worker` when told to.
const ECHO = `
const { BroadcastChannel, parentPort, workerData } = require('node:worker_threads');
const channel = new BroadcastChannel('vigil-signal:' + workerData.key);
channel.onmessage = (e) => parentPort.postMessage({ heard: e.data });
parentPort.on('message', (m) => { if (m === 'raise') channel.postMessage('from-worker'); if (m === 'close') { channel.close(); parentPort.close(); } });
parentPort.postMessage({ ready: true });
`;

function startEcho(key: string): Promise<{ worker: Worker; heard: string[]; next: () => Promise<string> }> {
  const worker = new Worker(ECHO, { eval: true, workerData: { key } });
  const heard: string[] = [];
  let waiter: ((s: string) => void) | null = null;
  return new Promise((resolve) => {
    worker.on('message', (m: { ready?: boolean; heard?: string }) => {
      if (m.ready) resolve({ worker, heard, next: () => new Promise<string>((r) => (waiter = r)) });
      if (m.heard !== undefined) {
        heard.push(m.heard);
        waiter?.(m.heard);
        waiter = null;
      }
    });
  });
}

describe('thread signal', () => {
  it('calls this thread\'s listeners at once, with the detail', () => {
    const got: string[] = [];
    const off = onThreadSignal('file:/tmp/a', (d) => got.push(d));
    raiseThreadSignal('file:/tmp/a', 'topic-1');
    raiseThreadSignal('file:/tmp/other', 'topic-2');
    off();
    raiseThreadSignal('file:/tmp/a', 'topic-3');
    expect(got).toEqual(['topic-1']);
  });

  it('reaches a listener on another thread, and one here hears the other thread', async () => {
    const key = `file:/tmp/cross-${process.pid}`;
    const echo = await startEcho(key);
    const echoed = echo.next();
    raiseThreadSignal(key, 'appended');
    expect(await echoed).toBe('appended');
    const got: string[] = [];
    const heardHere = new Promise<void>((resolve) => {
      const off = onThreadSignal(key, (d) => {
        got.push(d);
        off();
        resolve();
      });
    });
    echo.worker.postMessage('raise');
    await heardHere;
    expect(got).toEqual(['from-worker']);
    await echo.worker.terminate();
  });

  it('keeps memory: keys in their thread (an in-memory database is never shared)', async () => {
    const key = 'memory:log:42';
    const echo = await startEcho(key);
    raiseThreadSignal(key, 'private');
    // A signal that did cross would be echoed before this round trip through a file key completes.
    const control = `file:/tmp/control-${process.pid}`;
    const echoControl = await startEcho(control);
    const echoed = echoControl.next();
    raiseThreadSignal(control, 'control');
    await echoed;
    await new Promise((r) => setTimeout(r, 20));
    expect(echo.heard).toEqual([]);
    await Promise.all([echo.worker.terminate(), echoControl.worker.terminate()]);
  });
});
