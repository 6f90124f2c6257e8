import type { AgentStatus } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import type { AgentStatusLookup } from '@vigil/ingest';
import { AgentStatusCache } from './agent-status-cache.ts';

/** A read model in memory that counts its reads, and can run code in the middle of one (a change arriving then). */
class FakeSource implements AgentStatusLookup {
  readonly rows = new Map<string, AgentStatus>();
  reads: string[][] = [];
  duringRead: (() => void) | null = null;
  async agentStatuses(tenant: string, agentIds: readonly string[]): Promise<Map<string, AgentStatus>> {
    this.reads.push([...agentIds]);
    const out = new Map<string, AgentStatus>();
    for (const id of agentIds) {
      const s = this.rows.get(`${tenant}/${id}`);
      if (s !== undefined) out.set(id, s);
    }
    const during = this.duringRead;
    this.duringRead = null;
    await Promise.resolve();
    during?.();
    return out;
  }
}

const plain = (m: Map<string, AgentStatus>) => Object.fromEntries(m);

describe('AgentStatusCache', () => {
  it('reads only what it does not hold, unknown agents included, and keeps tenants apart', async () => {
    const source = new FakeSource();
    source.rows.set('acme/a1', 'healthy');
    source.rows.set('other/a1', 'killed');
    const cache = new AgentStatusCache(source);
    expect(plain(await cache.agentStatuses('acme', ['a1', 'new']))).toEqual({ a1: 'healthy' });
    expect(plain(await cache.agentStatuses('acme', ['a1', 'new']))).toEqual({ a1: 'healthy' });
    expect(plain(await cache.agentStatuses('other', ['a1']))).toEqual({ a1: 'killed' });
    expect(source.reads).toEqual([['a1', 'new'], ['a1']]);
    expect(cache.stats()).toEqual({ size: 3, hits: 2, misses: 3 });
  });

  it('answers what the writer committed since: a kill, a new agent, a forgotten one', async () => {
    const source = new FakeSource();
    source.rows.set('acme/a1', 'healthy');
    const cache = new AgentStatusCache(source);
    await cache.agentStatuses('acme', ['a1', 'a2']);
    cache.apply([
      { tenant: 'acme', agentId: 'a1', status: 'killed' },
      { tenant: 'acme', agentId: 'a2', status: 'healthy' },
      { tenant: 'acme', agentId: 'a3', status: 'degraded' },
    ]);
    expect(plain(await cache.agentStatuses('acme', ['a1', 'a2', 'a3']))).toEqual({ a1: 'killed', a2: 'healthy', a3: 'degraded' });
    cache.apply([{ tenant: 'acme', agentId: 'a1', status: null }]);
    expect(plain(await cache.agentStatuses('acme', ['a1']))).toEqual({});
    expect(source.reads).toHaveLength(1);
  });

  it('does not keep a read that a change overtook, so the change wins', async () => {
    const source = new FakeSource();
    source.rows.set('acme/a1', 'healthy');
    const cache = new AgentStatusCache(source);
    // The read saw "healthy"; before it returned, the writer's kill of a1 was applied.
    source.duringRead = () => cache.apply([{ tenant: 'acme', agentId: 'a1', status: 'killed' }]);
    expect(plain(await cache.agentStatuses('acme', ['a1', 'a2']))).toEqual({ a1: 'healthy' });
    expect(plain(await cache.agentStatuses('acme', ['a1']))).toEqual({ a1: 'killed' });
    // a2 was not kept either: the next lookup reads it again.
    await cache.agentStatuses('acme', ['a2']);
    expect(source.reads).toEqual([['a1', 'a2'], ['a2']]);
  });

  it('starts over past its capacity', async () => {
    const source = new FakeSource();
    const cache = new AgentStatusCache(source, { capacity: 3 });
    await cache.agentStatuses('acme', ['a1', 'a2', 'a3']);
    expect(cache.stats().size).toBe(3);
    await cache.agentStatuses('acme', ['a4']);
    expect(cache.stats().size).toBe(1);
  });
});
