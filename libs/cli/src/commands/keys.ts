import { ROLES, TenantId } from '@vigil/contracts';
import { apiUrl, CLIENT_FLAGS_USAGE, clientFlags, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { relativeTime } from '../format/relative-time.ts';
import { formatTable } from '../format/table.ts';
import { KeysApi } from '../keys-api.ts';
import { UsageError } from '../usage-error.ts';

const options = { ...clientFlags, tenant: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } } as const;

const USAGE = [
  'Usage: vigil keys create --tenant <t> --role agent|operator|admin [--name <n>] [--json]',
  '       vigil keys list [--tenant <t>] [--json]',
  '       vigil keys revoke <id> [--json]',
  '',
  'Manages API keys (needs an admin key). A new key is printed once, by create; list never shows keys;',
  'a revoked key is refused (401) by every Vigil process within a second.',
  '',
  'Roles: agent (beat, goodbye), operator (read, kill, resume, thresholds, webhooks, forget of its tenant),',
  '       admin (keys of every tenant, and operator of its own).',
  '',
  'Options:',
  '  --tenant <t>       tenant of the new key (create; default: the admin key\'s), or filter (list)',
  `  --role <r>         ${ROLES.join(', ')} (create)`,
  '  --name <n>         a label: who or what uses the key (create)',
  CLIENT_FLAGS_USAGE,
].join('\n');

function api(values: { url?: string | undefined; 'api-key'?: string | undefined }, io: CliIo): KeysApi {
  const apiKey = values['api-key'] ?? io.env['VIGIL_API_KEY'];
  if (apiKey === undefined || apiKey === '') throw new UsageError('an admin API key is required: pass --api-key or set VIGIL_API_KEY');
  return new KeysApi(apiUrl(values, io), apiKey);
}

function checkTenant(tenant: string | undefined): void {
  if (tenant !== undefined && !TenantId.safeParse(tenant).success) throw new UsageError(`--tenant must be lower-case letters, digits, "_" or "-", got '${tenant}'`);
}

/** `vigil keys create|list|revoke`: API keys and their roles, through `/v1/keys`. */
export const command: CliCommand = {
  name: 'keys',
  summary: 'Create, list and revoke API keys (admin)',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 2);
    const action = positionals[0];
    checkTenant(values.tenant);
    switch (action) {
      case 'create': {
        if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1] ?? ''}'`);
        if (values.role === undefined) throw new UsageError(`--role is required: one of ${ROLES.join(', ')}`);
        if (!(ROLES as readonly string[]).includes(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got '${values.role}'`);
        if (values.name !== undefined && values.name.trim() === '') throw new UsageError('--name must not be empty');
        const keysApi = api(values, io);
        // Without --tenant the server uses the admin key's own tenant; the CLI says which one it got.
        const created = await keysApi.create({
          ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
          role: values.role,
          ...(values.name === undefined ? {} : { name: values.name }),
        });
        if (values.json === true) printJson(io, { id: created.id, key: created.key, tenant: created.tenant, role: created.role, name: created.name });
        else {
          io.stdout(`Created ${created.role} key ${created.id} of tenant "${created.tenant}" (${created.name}):\n\n  ${created.key}\n\n`);
          io.stdout('This is the only time the key is shown; store it now (e.g. as VIGIL_API_KEY of the agent or operator).\n');
        }
        return 0;
      }
      case 'list': {
        if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1] ?? ''}'`);
        const keys = await api(values, io).list(values.tenant);
        if (values.json === true) printJson(io, keys);
        else if (keys.length === 0) io.stdout('No keys.\n');
        else {
          const now = (io.now ?? Date.now)();
          const rows = keys.map((k) => [
            k.id,
            k.tenant,
            k.role,
            k.name,
            k.createdAt === null ? 'at start' : relativeTime(k.createdAt, now),
            k.lastUsedAt === null ? 'never' : relativeTime(k.lastUsedAt, now),
          ]);
          io.stdout(`${formatTable(['ID', 'TENANT', 'ROLE', 'NAME', 'CREATED', 'LAST USED'], rows)}\n`);
        }
        return 0;
      }
      case 'revoke': {
        const id = positionals[1];
        if (id === undefined || id === '') throw new UsageError('missing key id (vigil keys list shows them)');
        const revoked = await api(values, io).revoke(id);
        if (values.json === true) printJson(io, { ...revoked, revoked: true });
        else io.stdout(`Revoked ${revoked.role} key ${revoked.id} of tenant "${revoked.tenant}"; every Vigil process refuses it within a second.\n`);
        return 0;
      }
      case undefined:
        throw new UsageError('missing action: create, list or revoke');
      default:
        throw new UsageError(`unknown action '${action}': create, list or revoke`);
    }
  },
};
