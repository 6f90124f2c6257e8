import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import {
  InvalidCursorError,
  InvalidStoreOptionsError,
  STORE_ERROR_CODES,
  StoreClosedError,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from './errors.ts';

describe('store errors', () => {
  const instances: VigilError[] = [
    new WrongExpectedRevisionError('agent-a-b', 3, 5),
    new StoreUnavailableError('down'),
    new StoreClosedError('SqliteEventStore'),
    new InvalidStoreOptionsError('bad', 'path'),
    new InvalidCursorError('x'),
  ];

  it('has unique codes, each thrown by exactly one class', () => {
    expect(new Set(STORE_ERROR_CODES).size).toBe(STORE_ERROR_CODES.length);
    expect(instances.map((e) => e.code).sort()).toEqual([...STORE_ERROR_CODES].sort());
    for (const err of instances) expect(err).toBeInstanceOf(VigilError);
  });

  it('documents every code in the README error table', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    for (const code of STORE_ERROR_CODES) expect(readme).toContain(`| \`${code}\` |`);
  });

  it('maps a wrong expected revision to 409 and an unavailable store to a retriable 503', () => {
    expect(new WrongExpectedRevisionError('s', 'no_stream', 0)).toMatchObject({ statusCode: 409, retriable: false });
    expect(new StoreUnavailableError('down')).toMatchObject({ statusCode: 503, retriable: true, code: 'VIGIL_ERR_STORE_UNAVAILABLE' });
  });
});
