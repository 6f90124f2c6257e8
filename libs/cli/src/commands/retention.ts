import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { UsageError } from '../usage-error.ts';

const options = { ...clientFlags, default: { type: 'boolean' }, 'forget-after': { type: 'string' } } as const;

/**
 * `vigil retention`: shows the tenant's retention (how long stopped or unreachable agents are kept before being
 * forgotten); `vigil retention set <duration>|--default` changes it.
 */
export const command: CliCommand = {
  name: 'retention',
  summary: "Show or set the tenant's retention: stopped or unreachable agents are forgotten after it",
  usage: [
    'Usage: vigil retention [--json]',
    '       vigil retention set <duration> [--json]',
    '       vigil retention set --default [--json]',
    '',
    'Without a subcommand: the retention the platform applies to this tenant, and whether the tenant set it or it is',
    'the platform default (vigil up --forget-after, 7d unless changed).',
    '',
    'set <duration>  e.g. 7d, 36h, 90m (at least 1s, at most 3650d); applied within a second or two',
    'set --default   the tenant goes back to the platform default',
    '',
    'Options:',
    '  --default           with set: restore the platform default',
    '  --forget-after <d>  older form of set (<d> or "default")',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 2);
    const [action, duration] = positionals;
    const older = values['forget-after'];
    if (older !== undefined) {
      if (action !== undefined || values.default === true) throw new UsageError('--forget-after is the older form of set: use one or the other');
      if (older.trim() === '') throw new UsageError('--forget-after needs a duration: e.g. --forget-after 7d, or default');
      return set(older === 'default' ? null : older, values, io);
    }
    if (action === undefined) {
      if (values.default === true) throw new UsageError('--default goes with set: vigil retention set --default');
      return show(values, io);
    }
    if (action !== 'set') throw new UsageError(`unknown subcommand '${action}': vigil retention [set <duration>|set --default]`);
    if (values.default === true) {
      if (duration !== undefined) throw new UsageError(`give a duration or --default, not both (got '${duration}' and --default)`);
      return set(null, values, io);
    }
    if (duration === undefined || duration.trim() === '') throw new UsageError('set needs a duration (e.g. vigil retention set 7d) or --default');
    return set(duration, values, io);
  },
};

type Values = Parameters<typeof clientFrom>[0] & { readonly json?: boolean | undefined };

async function show(values: Values, io: CliIo): Promise<number> {
  const retention = await clientFrom(values, io).retention();
  if (values.json === true) printJson(io, retention);
  else {
    const whose = retention.source === 'tenant' ? 'set for this tenant' : 'the platform default';
    io.stdout(`Retention: agents stopped or unreachable for ${retention.forgetAfter} are forgotten (${whose}).\n`);
  }
  return 0;
}

async function set(forgetAfter: string | null, values: Values, io: CliIo): Promise<number> {
  await clientFrom(values, io).setRetention(forgetAfter);
  if (values.json === true) printJson(io, { action: 'retention', accepted: true, forgetAfter });
  else if (forgetAfter === null) io.stdout('Retention set: back to the platform default (vigil retention shows it once applied).\n');
  else io.stdout(`Retention set: agents stopped or unreachable for ${forgetAfter} are forgotten (vigil retention shows it once applied).\n`);
  return 0;
}
