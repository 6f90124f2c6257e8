import { pino } from 'pino';
import { parseFlags } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { EXIT } from '../exit-codes.ts';
import { waitForStop } from '../platform/wait-for-stop.ts';
import { serveConfigFromEnv, type ServeConfig } from '../serve/serve-config.ts';
import { ServeConfigError } from '../serve/serve-config-error.ts';
import { SERVE_VARIABLES, SERVICES, type ServiceName } from '../serve/serve-variables.ts';
import { startService } from '../serve/start-service.ts';
import { UsageError } from '../usage-error.ts';

function isService(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
}

const width = Math.max(...SERVE_VARIABLES.map((v) => v.name.length));

/** `vigil serve <service>`: one service per process (distributed mode), configured by the environment. */
export const command: CliCommand = {
  name: 'serve',
  summary: 'Run one service (ingest, detector, projector, query or notifier) in this process (distributed mode)',
  usage: [
    'Usage: vigil serve ingest|detector|projector|query|notifier',
    '',
    'Configured by environment variables, checked before anything is opened (a wrong one exits 2 naming it):',
    ...SERVE_VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.meaning} (default: ${v.default})`),
    '  plus ingest\'s VIGIL_INGEST_BODY_LIMIT, VIGIL_TICKS, VIGIL_TICK_INTERVAL, VIGIL_RETRY_AFTER, VIGIL_RATE_LIMIT_INGEST and',
    '  query\'s VIGIL_QUERY_BODY_LIMIT, VIGIL_SSE_POLL_INTERVAL, VIGIL_SSE_KEEPALIVE, VIGIL_SSE_MAX_CLIENTS, VIGIL_RETRY_AFTER,',
    '  VIGIL_RATE_LIMIT_CONTROL (both: VIGIL_MAX_EVENT_LOOP_DELAY),',
    '  and the notifier\'s VIGIL_WEBHOOK_* and VIGIL_NOTIFY_* (README, Alerts) and VIGIL_PUBLIC_URL.',
    '',
    'Example, four processes on one machine sharing one log file:',
    '  export VIGIL_LOG=sqlite:./data/log.db VIGIL_STORE=sqlite:./data/store.db VIGIL_READ_MODEL=sqlite:./data/read.db',
    '  export VIGIL_ADMIN_KEY=vgl_a-long-secret-admin-key   # then: vigil keys create --tenant <t> --role agent',
    '  vigil serve ingest & vigil serve detector & vigil serve projector & vigil serve query &',
    '',
    'Prints "vigil <service> ready on <url>" once started; logs are JSON on stderr. SIGTERM or SIGINT drains',
    '(consumers finish and commit the batch in hand), closes, and exits 0.',
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { positionals } = parseFlags(argv, {}, 1);
    const name = positionals[0];
    if (name === undefined) throw new UsageError(`missing service: one of ${SERVICES.join(', ')}`);
    if (!isService(name)) throw new UsageError(`unknown service '${name}': one of ${SERVICES.join(', ')}`);
    let config: ServeConfig;
    try {
      config = serveConfigFromEnv(name, io.env);
    } catch (err) {
      if (!(err instanceof ServeConfigError)) throw err;
      io.stderr(`vigil serve ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    const logger = pino({ level: config.logLevel, base: { service: name } }, pino.destination(2));
    const stop = waitForStop(io);
    const stopSignal = new AbortController();
    void stop.then(() => stopSignal.abort());
    const service = await startService(config, logger, stopSignal.signal);
    if (service === null) {
      io.stderr(`vigil serve ${name}: stopped before the topics appeared\n`);
      return EXIT.ok;
    }
    io.stdout(`vigil ${name} ready on ${service.url}\n`);
    await stop;
    logger.info('stopping: draining consumers and committing');
    await service.close();
    logger.info('stopped');
    logger.flush();
    return EXIT.ok;
  },
};
