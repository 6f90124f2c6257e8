import { isIP } from 'node:net';
import { WebhookUrlRefusedError } from './errors.ts';

/** Environment variable that lets webhooks target private and loopback addresses (tests, on-premises receivers). */
export const ALLOW_PRIVATE_ENV = 'VIGIL_WEBHOOK_ALLOW_PRIVATE';

/** Whether the environment allows private targets (`VIGIL_WEBHOOK_ALLOW_PRIVATE=1` or `true`). */
export function privateTargetsAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env[ALLOW_PRIVATE_ENV];
  return v === '1' || v === 'true';
}

function ipv4Private(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224;
}

function ipv6Private(ip: string): boolean {
  const v = ip.toLowerCase();
  if (v === '::' || v === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  if (mapped) return ipv4Private(mapped[1]!);
  return /^f[cd]/.test(v) || /^fe[89ab]/.test(v) || /^ff/.test(v);
}

/**
 * Checks a webhook URL: http or https, no credentials in it, and — unless `allowPrivate` — a host that is not a
 * loopback, private, link-local or otherwise internal address (so a tenant cannot make Vigil call its own network).
 * Names are checked as written (`localhost`, `*.local`, `*.internal`); resolving DNS here would only check the
 * answer of the moment. Returns the normalised URL; throws WebhookUrlRefusedError naming the problem.
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlRefusedError(`url: ${JSON.stringify(raw)} is not a URL; give e.g. https://hooks.example.com/vigil`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookUrlRefusedError(`url: must be http or https, not ${url.protocol.replace(':', '')}`);
  if (url.username !== '' || url.password !== '') throw new WebhookUrlRefusedError('url: must not carry credentials (user:password@); use the signature to authenticate Vigil');
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const kind = isIP(host);
    const internalName = kind === 0 && (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal') || !host.includes('.'));
    if (internalName || (kind === 4 && ipv4Private(host)) || (kind === 6 && ipv6Private(host))) {
      throw new WebhookUrlRefusedError(`url: ${host} is a private or loopback address; Vigil calls only public hosts unless ${ALLOW_PRIVATE_ENV}=1`);
    }
  }
  return url.toString();
}
