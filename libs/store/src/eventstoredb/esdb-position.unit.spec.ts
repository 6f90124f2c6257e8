import { describe, expect, it } from 'vitest';
import { packPosition, unpackPosition } from './esdb-position.ts';

describe('EventStoreDB position packing', () => {
  it('round-trips a (commit, prepare) pair', () => {
    const position = { commit: 123_456_789_012n, prepare: 123_456_789_345n };
    expect(unpackPosition(packPosition(position))).toEqual(position);
  });

  it('orders packed positions as $all does: by commit, then prepare', () => {
    const sameBatch = [
      { commit: 1000n, prepare: 1000n },
      { commit: 1000n, prepare: 1200n },
      { commit: 1000n, prepare: 1400n },
    ];
    const laterBatch = { commit: 1600n, prepare: 1600n };
    const packed = [...sameBatch, laterBatch].map(packPosition);
    expect([...packed].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(packed);
    expect(new Set(packed).size).toBe(packed.length);
  });
});
