// Test helpers of @vigil/cli (`@vigil/cli/testing`): never imported by the main entry.
export { memoryIo } from './memory-io.ts';
export type { MemoryIo } from './memory-io.ts';
