import type { Logger } from 'pino';
import { z } from 'zod';

function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.child === 'function' && typeof v.error === 'function' && typeof v.warn === 'function';
}

/** A pino logger option (checked by shape, so a child logger of the host's tree passes). */
export const LoggerOption = z.custom<Logger>(isLogger, 'logger must be a pino logger');
