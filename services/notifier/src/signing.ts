import { createHmac } from 'node:crypto';
import { secretKey } from '@vigil/webhooks';

/**
 * Standard Webhooks headers for one attempt: `webhook-id` (the delivery's id, the same on every retry, so a receiver
 * can drop duplicates), `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed by the secret's decoded bytes).
 */
export function signatureHeaders(secret: string, messageId: string, timestampSeconds: number, body: string): Record<string, string> {
  const signature = createHmac('sha256', secretKey(secret)).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': messageId, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}
