// Bootstrap of embedded mode's writer thread (libs/cli/src/embedded/writer-thread-main.ts). Module hooks registered
// on the main thread do not reach a worker thread on Node 20, so it registers what `vigil.js` did for the main one:
// tsx for the sources, or the `vigil-dist` resolve condition for the build; then it loads the thread's entry.
import { register } from 'node:module';
import { workerData } from 'node:worker_threads';

const { entry, fromDist } = workerData.bootstrap;
if (fromDist) {
  register('./dist-condition-hook.js', import.meta.url);
} else {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
}
await import(entry);
