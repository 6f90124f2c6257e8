import type { Position } from '@eventstore/db-client';

const PREPARE_BITS = 64n;
const PREPARE_MASK = (1n << PREPARE_BITS) - 1n;

/**
 * EventStoreDB orders `$all` by (commit, prepare), and the events of one append share a commit position: the commit
 * alone is not unique, and resuming from (p, p) could skip the rest of a batch. Packing both into one bigint
 * (commit in the high 64 bits) keeps the port's single increasing `position` exact and reversible.
 */
export function packPosition(position: Position): bigint {
  return (position.commit << PREPARE_BITS) | (position.prepare & PREPARE_MASK);
}

/** The EventStoreDB position a packed bigint stands for. */
export function unpackPosition(packed: bigint): Position {
  return { commit: packed >> PREPARE_BITS, prepare: packed & PREPARE_MASK };
}
