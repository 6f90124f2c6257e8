import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUERY_ERROR_CODES } from './errors.ts';

const dir = import.meta.dirname;
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
  .map((f) => readFileSync(join(dir, f), 'utf8'))
  .join('\n');

describe('query error codes', () => {
  it('are unique', () => {
    expect(new Set(QUERY_ERROR_CODES).size).toBe(QUERY_ERROR_CODES.length);
  });

  it.each(QUERY_ERROR_CODES)('%s is thrown by a class that is used', (code) => {
    const cls = new RegExp(`class (\\w+) extends VigilError \\{[^{}]*\\{\\s*super\\('${code}'`).exec(sources)?.[1];
    expect(cls).toBeDefined();
    expect(sources.split(`new ${cls}(`).length).toBeGreaterThan(1);
  });
});
