import { readFileSync } from 'node:fs';
import { VigilError } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import {
  ConsumerAlreadyStartedError,
  InvalidLogOptionsError,
  LOG_ERROR_CODES,
  LogClosedError,
  LogUnavailableError,
  LogRequestRejectedError,
  PartitionOutOfRangeError,
  ProducerFencedError,
  TopicNotFoundError,
  TopicPartitionsMismatchError,
  TransactionEndedError,
} from './errors.ts';

const oneOfEach: VigilError[] = [
  new TopicNotFoundError('t'),
  new TopicPartitionsMismatchError('t', 3, 6),
  new PartitionOutOfRangeError('t', 7, 3),
  new LogUnavailableError('busy'),
  new LogClosedError(),
  new InvalidLogOptionsError('bad', 'path'),
  new ConsumerAlreadyStartedError('g', 't'),
  new TransactionEndedError('tx'),
  new ProducerFencedError('tx'),
  new LogRequestRejectedError('too large', 'MESSAGE_TOO_LARGE'),
];

describe('log errors', () => {
  it('has unique codes', () => {
    expect(new Set(LOG_ERROR_CODES).size).toBe(LOG_ERROR_CODES.length);
  });

  it('has exactly one error class per code, each a VigilError', () => {
    expect(oneOfEach.map((e) => e.code).sort()).toEqual([...LOG_ERROR_CODES].sort());
    for (const err of oneOfEach) expect(err).toBeInstanceOf(VigilError);
  });

  it('marks only an unavailable log as retriable, with status 503', () => {
    expect(oneOfEach.filter((e) => e.retriable).map((e) => e.code)).toEqual(['VIGIL_ERR_LOG_UNAVAILABLE']);
    expect(new LogUnavailableError('busy').statusCode).toBe(503);
  });

  it('documents every code in the README error table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const code of LOG_ERROR_CODES) expect(readme).toContain(`| \`${code}\``);
  });
});
