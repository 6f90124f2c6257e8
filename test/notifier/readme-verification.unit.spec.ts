import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signatureHeaders } from '@vigil/notifier';
import { newWebhookSecret } from '@vigil/webhooks';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

// The README tells receivers how to verify a delivery; these run what it says against what the notifier signs.
const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const byHand = /By hand, with the standard library only:\n\n```python\n([\s\S]*?)```/.exec(readme)?.[1];
const python = spawnSync('python3', ['--version']).status === 0;
if (!python) console.warn('skipping the README Python check: no python3 on PATH');

describe('README: verifying a delivery', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ type: 'agent.degraded', timestamp: new Date().toISOString(), data: { agentId: 'a1', note: 'ünïcode ✓' } });
  const headers = signatureHeaders(secret, 'msg_readme', Math.floor(Date.now() / 1000), body);

  it('the notifier signs what the standardwebhooks library verifies', () => {
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: 'agent.degraded' });
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });

  it.skipIf(!python)('the by-hand Python (standard library only) accepts a real signature and refuses a tampered body or an old timestamp', () => {
    expect(byHand).toBeDefined();
    const driver = `${byHand}\nimport json, sys\nd = json.load(sys.stdin)\nprint(verify(d["secret"], d["headers"], d["body"].encode()), verify(d["secret"], d["headers"], d["body"].encode() + b" "), verify(d["secret"], {**d["headers"], "webhook-timestamp": "1000"}, d["body"].encode()))\n`;
    const out = execFileSync('python3', ['-c', driver], { input: JSON.stringify({ secret, headers, body }), encoding: 'utf8' });
    expect(out.trim()).toBe('True False False');
  });
});
