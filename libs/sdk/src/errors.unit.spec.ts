import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SDK_ERROR_CODES, isRetriableStatus } from './errors.ts';

const here = import.meta.dirname;

describe('SDK error codes', () => {
  it('are unique', () => {
    expect(new Set(SDK_ERROR_CODES).size).toBe(SDK_ERROR_CODES.length);
  });

  it('are each used by the SDK source and documented in the README', () => {
    const source = readdirSync(here)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && f !== 'errors.ts')
      .map((f) => readFileSync(join(here, f), 'utf8'))
      .join('\n');
    const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
    for (const code of SDK_ERROR_CODES) {
      expect(source, `${code} is used`).toContain(`'${code}'`);
      expect(readme, `${code} is documented`).toContain(`\`${code}\``);
    }
  });

  it('call 5xx, 408, 429 and "no answer" retriable, other 4xx not', () => {
    expect([null, 408, 429, 500, 503].map(isRetriableStatus)).toEqual([true, true, true, true, true]);
    expect([400, 401, 404, 409].map(isRetriableStatus)).toEqual([false, false, false, false]);
  });
});
