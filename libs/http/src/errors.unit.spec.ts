import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTTP_ERROR_CODES } from './errors.ts';

const dir = import.meta.dirname;
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
  .map((f) => readFileSync(join(dir, f), 'utf8'));

describe('HTTP error codes', () => {
  it('are unique', () => {
    expect(new Set(HTTP_ERROR_CODES).size).toBe(HTTP_ERROR_CODES.length);
  });

  it.each(HTTP_ERROR_CODES)('%s is thrown by a class', (code) => {
    expect(sources.some((s) => s.includes(`super('${code}'`))).toBe(true);
  });
});
