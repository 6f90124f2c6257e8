import { HeartbeatRequest } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from './errors.ts';
import { describeZodError, parseInput } from './validate.ts';

describe('describeZodError', () => {
  it('names a missing field as required', () => {
    const r = z.strictObject({ agentId: z.string() }).safeParse({});
    expect(describeZodError(r.error!)).toEqual({ field: 'agentId', message: 'agentId: is required' });
  });

  it('names an unknown field of a strict object', () => {
    const r = z.strictObject({ a: z.string() }).safeParse({ a: 'x', colour: 'red' });
    expect(describeZodError(r.error!).field).toBe('colour');
  });

  it('follows the union branch that got furthest, naming the batch item', () => {
    const r = HeartbeatRequest.safeParse({ heartbeats: [{ agentId: 'a' }, { agentId: 'b' }, { agentId: 'c' }, { seq: 1 }] });
    expect(describeZodError(r.error!).field).toBe('heartbeats.3.agentId');
  });

  it('prefixes the path it is given', () => {
    const r = z.object({ agentId: z.string() }).safeParse({ agentId: 1 });
    expect(describeZodError(r.error!, ['heartbeats', 2]).field).toBe('heartbeats.2.agentId');
  });
});

describe('parseInput', () => {
  it('returns the parsed value', () => {
    expect(parseInput(z.object({ n: z.number() }), { n: 1 })).toEqual({ n: 1 });
  });

  it('throws a 400 ValidationError naming the field', () => {
    const attempt = () => parseInput(z.object({ n: z.number() }), { n: 'one' });
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (err) {
      expect((err as ValidationError).statusCode).toBe(400);
      expect((err as ValidationError).details['field']).toBe('n');
    }
  });

  it('says what to send when the value is missing', () => {
    expect(() => parseInput(z.object({}), undefined, { whenMissing: 'send a body' })).toThrow('send a body');
  });
});
