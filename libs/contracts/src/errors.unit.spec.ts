import { describe, expect, it } from 'vitest';
import { InvalidEventError, VigilError } from './errors.ts';

describe('VigilError', () => {
  it('is recognised across copies of the contracts (the published SDK carries its own copy)', async () => {
    // A second, independent instance of this module, as the SDK's inlined dist/contracts is at run time.
    const copy = (await import(/* @vite-ignore */ `./errors.ts?copy=${Date.now()}`)) as typeof import('./errors.ts');
    expect(copy.VigilError).not.toBe(VigilError);
    const foreign = new copy.VigilError('VIGIL_ERR_NETWORK', 'no answer', { retriable: true });
    expect(foreign instanceof VigilError).toBe(true);
    expect(new VigilError('VIGIL_ERR_X', 'x') instanceof copy.VigilError).toBe(true);
  });

  it('keeps the ordinary prototype check for subclasses and non-errors', () => {
    expect(new InvalidEventError('bad') instanceof VigilError).toBe(true);
    expect(new VigilError('VIGIL_ERR_X', 'x') instanceof InvalidEventError).toBe(false);
    expect(new Error('plain') instanceof VigilError).toBe(false);
    expect((null as unknown) instanceof VigilError).toBe(false);
    expect({ code: 'VIGIL_ERR_X' } instanceof VigilError).toBe(false);
  });
});
