import { randomBytes } from 'node:crypto';

/** Prefix of every signing secret, as the Standard Webhooks spec writes them. */
export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + 24 random bytes in base64 (the spec asks for 24 to 64 bytes). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

/** The key bytes of a secret: the base64 after `whsec_`, decoded (what the HMAC is keyed with). */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}
