import { convertToCommandError, ErrorType, isCommandError, WrongExpectedVersionError } from '@eventstore/db-client';
import type { ExpectedRevision } from '../event-store-port.ts';
import { StoreUnavailableError, WrongExpectedRevisionError } from '../errors.ts';

/** Client errors that say "the server cannot answer right now": retrying later may succeed. */
const UNAVAILABLE_TYPES: ReadonlySet<string> = new Set([ErrorType.UNAVAILABLE, ErrorType.DEADLINE_EXCEEDED, ErrorType.TIMEOUT, ErrorType.NOT_LEADER]);

/**
 * Maps `@eventstore/db-client` errors onto the store's registry: a concurrency conflict becomes
 * WrongExpectedRevisionError (409), an unreachable or leaderless server a retriable StoreUnavailableError (503).
 * Some client paths (batch append) throw raw gRPC errors, so those are converted to the client's typed errors first.
 * Anything else is returned as the client's error, so nothing is hidden behind a generic one.
 */
export function mapEsdbError(thrown: unknown, what: string, append?: { streamName: string; expected: ExpectedRevision }): unknown {
  const err = thrown instanceof Error ? convertToCommandError(thrown) : thrown;
  if (err instanceof WrongExpectedVersionError) {
    const actual = err.actualVersion;
    const actualRevision = typeof actual === 'bigint' ? Number(actual) : actual === 'no_stream' ? -1 : null;
    return new WrongExpectedRevisionError(append?.streamName ?? err.streamName, append?.expected ?? 'any', actualRevision, err);
  }
  if (err instanceof Error && isCommandError(err) && UNAVAILABLE_TYPES.has(err.type)) {
    return new StoreUnavailableError(`${what}: EventStoreDB is unavailable (${err.type}): ${err.message}`, err);
  }
  return err;
}
