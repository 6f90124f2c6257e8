import { describe, expect, it } from 'vitest';
import { SqliteWebhookStore } from './sqlite-webhook-store.ts';
import { newWebhookSecret, secretKey } from './webhook-secret.ts';
import { checkWebhookUrl } from './webhook-url.ts';

describe('webhook URLs', () => {
  it.each(['ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url'])('refuses %s', (url) => {
    expect(() => checkWebhookUrl(url, true)).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_WEBHOOK_URL_REFUSED', details: { field: 'url' } }));
  });

  it.each(['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://10.1.2.3/', 'http://192.168.0.10/', 'http://172.20.0.1/', 'http://169.254.169.254/latest', 'http://[::1]/', 'http://[fd00::1]/', 'http://intranet/'])(
    'refuses the private or loopback target %s unless private targets are allowed',
    (url) => {
      expect(() => checkWebhookUrl(url, false)).toThrow(/private or loopback/);
      expect(checkWebhookUrl(url, true)).toBe(new URL(url).toString());
    },
  );

  it('accepts public http(s) hosts and refuses credentials in the URL', () => {
    expect(checkWebhookUrl('https://hooks.slack.com/services/T0/B0/x', false)).toBe('https://hooks.slack.com/services/T0/B0/x');
    expect(() => checkWebhookUrl('https://user:pw@hooks.example.com/', false)).toThrow(/credentials/);
  });
});

describe('webhook secrets', () => {
  it('are whsec_ + 24 random bytes of base64', () => {
    const s = newWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(secretKey(s)).toHaveLength(24);
    expect(newWebhookSecret()).not.toBe(s);
  });
});

describe('SqliteWebhookStore', () => {
  it('pages deliveries newest first, rejects a foreign cursor, and cancels pending deliveries with their webhook', () => {
    const store = new SqliteWebhookStore({ path: ':memory:' });
    store.createWebhook({ id: 'wh1', tenant: 'acme', url: 'https://x.example/', format: 'json', events: ['degraded'], routingKey: null, secret: 'whsec_AAAA', createdAt: 1 });
    for (let i = 0; i < 5; i++) store.addDelivery({ id: `msg_${i}`, webhookId: 'wh1', tenant: 'acme', type: 'agent.degraded', agentId: `a${i}`, payload: '{}', createdAt: i });
    const first = store.listDeliveries('acme', 'wh1', 2, null);
    expect(first.items.map((d) => d.id)).toEqual(['msg_4', 'msg_3']);
    const second = store.listDeliveries('acme', 'wh1', 10, first.nextCursor);
    expect(second.items.map((d) => d.id)).toEqual(['msg_2', 'msg_1', 'msg_0']);
    expect(second.nextCursor).toBeNull();
    expect(() => store.listDeliveries('acme', 'wh1', 2, 'abc')).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_INVALID_CURSOR' }));
    expect(store.listDeliveries('globex', 'wh1', 10, null).items).toEqual([]); // tenants apart
    expect(store.deleteWebhook('globex', 'wh1')).toBe(false);
    expect(store.deleteWebhook('acme', 'wh1')).toBe(true);
    expect(store.listDeliveries('acme', 'wh1', 10, null).items.every((d) => d.status === 'cancelled')).toBe(true);
    expect(store.queueDepth()).toBe(0);
  });
});
