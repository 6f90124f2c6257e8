import { UnavailableError, WrongExpectedVersionError } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError, WrongExpectedRevisionError } from '../errors.ts';
import { mapEsdbError } from './map-esdb-error.ts';

describe('mapEsdbError', () => {
  it('turns a wrong expected version into a 409 naming the stream and both revisions', () => {
    const err = new WrongExpectedVersionError(undefined, { streamName: 'agent-a-b', expected: 2n, current: 5n });
    const mapped = mapEsdbError(err, 'append', { streamName: 'agent-a-b', expected: 2 });
    expect(mapped).toBeInstanceOf(WrongExpectedRevisionError);
    expect(mapped).toMatchObject({ statusCode: 409, details: { streamName: 'agent-a-b', expectedRevision: 2, actualRevision: 5 }, cause: err });
  });

  it('reports an absent stream as revision -1', () => {
    const err = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 'stream_exists', current: 'no_stream' });
    expect(mapEsdbError(err, 'append', { streamName: 's', expected: 'stream_exists' })).toMatchObject({ actualRevision: -1 });
  });

  it('turns an unavailable server into a retriable 503', () => {
    const mapped = mapEsdbError(new UnavailableError(undefined, 'connection refused'), 'read');
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped).toMatchObject({ retriable: true, statusCode: 503 });
  });

  it('passes other errors through unchanged', () => {
    const err = new TypeError('boom');
    expect(mapEsdbError(err, 'read')).toBe(err);
  });
});

describe('mapEsdbError on raw gRPC errors', () => {
  it('recognises an UNAVAILABLE status thrown by the batch-append path', () => {
    const raw = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' });
    expect(mapEsdbError(raw, 'append')).toMatchObject({ code: 'VIGIL_ERR_STORE_UNAVAILABLE', retriable: true });
  });
});
