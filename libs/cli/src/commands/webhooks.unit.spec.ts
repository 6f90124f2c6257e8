import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorReply, startTestServer } from '@vigil/sdk/testing';
import type { TestServer } from '@vigil/sdk/testing';
import { memoryIo } from '../../testing/index.ts';
import type { MemoryIo } from '../../testing/index.ts';
import { main } from '../main.ts';

const CREATED = { id: 'wh_1', url: 'https://hooks.example.com/x', format: 'pagerduty', events: ['unreachable', 'recovered'], routingKey: '****1234', createdAt: '2025-01-01T00:00:00.000Z', secret: 'whsec_c2VjcmV0' };

describe('vigil webhooks', () => {
  let server: TestServer;
  let m: MemoryIo;
  const run = (...argv: string[]): Promise<number> => main(argv, m.io);

  beforeEach(async () => {
    server = await startTestServer(() => errorReply(404, 'VIGIL_ERR_WEBHOOK_NOT_FOUND', 'no webhook "wh_9" in this tenant'));
    m = memoryIo({ env: { VIGIL_URL: server.url, VIGIL_API_KEY: 'key-9' } });
  });
  afterEach(async () => {
    await server.close();
  });

  it('adds a webhook with events, format and routing key, printing the id and the secret once', async () => {
    server.setHandler(() => ({ status: 201, json: CREATED }));
    expect(await run('webhooks', 'add', 'https://hooks.example.com/x', '--on', 'unreachable,recovered', '--format', 'pagerduty', '--routing-key', 'RK1234')).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/webhooks', body: { url: 'https://hooks.example.com/x', format: 'pagerduty', events: ['unreachable', 'recovered'], routingKey: 'RK1234' } });
    expect(m.stdout()).toContain('Webhook wh_1 added');
    expect(m.stdout()).toContain('whsec_c2VjcmV0');
  });

  it('prints {"id","secret",...} with --json', async () => {
    server.setHandler(() => ({ status: 201, json: CREATED }));
    expect(await run('webhooks', 'add', 'https://hooks.example.com/x', '--format', 'pagerduty', '--routing-key', 'RK1234', '--json')).toBe(0);
    expect(JSON.parse(m.stdout())).toMatchObject({ id: 'wh_1', secret: 'whsec_c2VjcmV0' });
  });

  it.each([
    [['webhooks'], /missing subcommand/],
    [['webhooks', 'explode'], /unknown subcommand 'explode'/],
    [['webhooks', 'add'], /missing webhook url/],
    [['webhooks', 'add', 'https://x.example/', '--on', 'degraded,exploded'], /--on takes .*got 'exploded'/],
    [['webhooks', 'add', 'https://x.example/', '--format', 'teams'], /--format must be one of json, slack, pagerduty/],
    [['webhooks', 'add', 'https://x.example/', '--format', 'pagerduty'], /--routing-key is required/],
    [['webhooks', 'deliveries', 'wh_1', '--limit', '0'], /--limit must be/],
    [['webhooks', 'resend', 'wh_1'], /missing delivery id/],
  ])('refuses %j as a usage error (exit 2) without calling the API', async (argv, message) => {
    expect(await run(...argv)).toBe(2);
    expect(m.stderr()).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });

  it('prints the API error in one line with its code (exit 1)', async () => {
    expect(await run('webhooks', 'remove', 'wh_9')).toBe(1);
    expect(server.requests[0]).toMatchObject({ method: 'DELETE', path: '/v1/webhooks/wh_9' });
    expect(m.stderr().trim().split('\n')).toHaveLength(1);
    expect(m.stderr()).toContain('VIGIL_ERR_WEBHOOK_NOT_FOUND');
  });

  it('lists deliveries as a table', async () => {
    server.setHandler(() => ({
      json: {
        items: [{ id: 'msg_1', webhookId: 'wh_1', type: 'agent.degraded', agentId: 'a1', status: 'dead', attempts: 8, createdAt: '2025-01-01T00:00:00.000Z', lastAttemptAt: null, nextAttemptAt: null, deliveredAt: null, lastStatus: 503, lastError: 'HTTP 503; gave up after 8 attempts', responseExcerpt: null }],
        nextCursor: null,
      },
    }));
    expect(await run('webhooks', 'deliveries', 'wh_1')).toBe(0);
    expect(server.requests[0]?.query.get('limit')).toBe('20');
    expect(m.stdout()).toMatch(/msg_1\s+agent\.degraded\s+a1\s+dead\s+8\s+503\s+HTTP 503; gave up after 8 attempts/);
  });
});
