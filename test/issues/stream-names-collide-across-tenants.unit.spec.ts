import { agentStreamName, AgentId, TenantId } from '@vigil/contracts';
import { SqliteEventStore } from '@vigil/store';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Regression (issue 9): event-store streams were named `agent-<tenant>-<agentId>`, and both tenant names and agent
 * ids may hold `-`, so tenant `a-b` agent `c` and tenant `a` agent `b-c` shared the stream `agent-a-b-c`: one
 * tenant's history (lifecycle, transitions, metric summaries) was read and truncated as the other's.
 */
describe('event-store stream names', () => {
  let store: SqliteEventStore | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  it('differ for tenant a-b agent c and tenant a agent b-c', () => {
    expect(agentStreamName('a-b', 'c')).not.toBe(agentStreamName('a', 'b-c'));
  });

  it('split back into the one tenant and agent id they were made from', () => {
    const tenants = ['a', 'a-b', 'a-b-c', 'x_1', '0'];
    const agents = ['c', 'b-c', 'b-c-d', 'x.y:z@w', 'a-b'];
    const names = new Map<string, string>();
    for (const tenant of tenants) {
      for (const agentId of agents) {
        expect(TenantId.safeParse(tenant).success && AgentId.safeParse(agentId).success).toBe(true);
        const name = agentStreamName(tenant, agentId);
        expect(names.get(name), `${name} made twice`).toBeUndefined();
        names.set(name, `${tenant}|${agentId}`);
        const rest = name.slice('agent-'.length);
        expect([rest.slice(0, rest.indexOf('/')), rest.slice(rest.indexOf('/') + 1)]).toEqual([tenant, agentId]);
      }
    }
    expect(names.size).toBe(tenants.length * agents.length);
  });

  it('keep the two agents’ histories apart in the SQLite event store', async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    await store.appendToStream(agentStreamName('a-b', 'c'), [{ id: '00000000-0000-4000-8000-000000000001', type: 'agent-killed', data: { tenant: 'a-b' } }], 'no_stream');
    await store.appendToStream(agentStreamName('a', 'b-c'), [{ id: '00000000-0000-4000-8000-000000000002', type: 'agent-killed', data: { tenant: 'a' } }], 'no_stream');
    expect((await store.readStream(agentStreamName('a-b', 'c'))).map((e) => e.data)).toEqual([{ tenant: 'a-b' }]);
    expect((await store.readStream(agentStreamName('a', 'b-c'))).map((e) => e.data)).toEqual([{ tenant: 'a' }]);
  });
});
