import type { ProjectionBatch, ReadModel } from '@vigil/store';
import { describe, expect, it } from 'vitest';
import { ReadModelBatcher } from './read-model-batcher.ts';

/** A read model that records each write it is asked for; only the two write methods are used by the batcher. */
function recordingReadModel(fail = false): { readModel: ReadModel; writes: ProjectionBatch[][] } {
  const writes: ProjectionBatch[][] = [];
  const readModel = {
    apply: async (events: ProjectionBatch['events'], checkpoint: ProjectionBatch['checkpoint']) => void writes.push([{ events, checkpoint }]),
    applyMany: async (batches: readonly ProjectionBatch[]) => {
      if (fail) throw new Error('disk full');
      writes.push([...batches]);
    },
  } as unknown as ReadModel;
  return { readModel, writes };
}

const batch = (partition: number): ProjectionBatch => ({ events: [], checkpoint: { topic: 't', partition, nextOffset: 1 } });

describe('ReadModelBatcher', () => {
  it("writes the batches of one turn of the event loop in one applyMany, and the next turn's in another", async () => {
    const { readModel, writes } = recordingReadModel();
    const batcher = new ReadModelBatcher(readModel);
    await Promise.all([batcher.apply(batch(0)), batcher.apply(batch(1)), batcher.apply(batch(2))]);
    await batcher.apply(batch(3));
    expect(writes.map((w) => w.map((b) => b.checkpoint.partition))).toEqual([[0, 1, 2], [3]]);
  });

  it('rejects every batch of a group whose write failed, so each partition retries its own', async () => {
    const { readModel } = recordingReadModel(true);
    const batcher = new ReadModelBatcher(readModel);
    const results = await Promise.allSettled([batcher.apply(batch(0)), batcher.apply(batch(1))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
