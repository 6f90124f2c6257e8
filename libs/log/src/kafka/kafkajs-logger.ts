import type { Logger } from 'pino';
import { logLevel } from 'kafkajs';
import type { logCreator, LogEntry } from 'kafkajs';

/**
 * kafkajs's log level matching a pino logger's: kafkajs builds debug entries (one per request) only when asked to, so
 * ask only when pino would keep them.
 */
export function kafkajsLogLevel(logger: Logger): logLevel {
  if (logger.isLevelEnabled('debug')) return logLevel.DEBUG;
  if (logger.isLevelEnabled('info')) return logLevel.INFO;
  if (logger.isLevelEnabled('warn')) return logLevel.WARN;
  if (logger.isLevelEnabled('error')) return logLevel.ERROR;
  return logLevel.NOTHING;
}

/**
 * Routes kafkajs's namespaced logs into one pino tree (CONVENTIONS 9), with the namespace and kafkajs's fields as pino
 * fields. kafkajs logs every failed response at ERROR in its `Connection` namespace even when the request is retried
 * (a coordinator still loading, a rebalance in progress); those become debug here, because the caller reports the
 * failure that matters when the retries run out.
 */
export function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, error, stack, ...fields } = log as LogEntry['log'] & {
        error?: unknown;
        stack?: unknown;
      };
      const context: Record<string, unknown> = { kafkajs: namespace, ...fields };
      if (error !== undefined) context.err = { message: String(error), stack };
      if (level === logLevel.ERROR && namespace === 'Connection') logger.debug(context, message);
      else if (level === logLevel.ERROR) logger.error(context, message);
      else if (level === logLevel.WARN) logger.warn(context, message);
      else if (level === logLevel.INFO) logger.info(context, message);
      else logger.debug(context, message);
    };
}
