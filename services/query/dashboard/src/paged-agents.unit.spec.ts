import type { AgentView, Page, RecentMetricsResponse } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import type { Api, ListFilter } from './api.ts';
import { PagedAgents } from './paged-agents.ts';

/** A server over an in-memory fleet: pages by an index cursor, counting requests. */
function fakeApi(fleet: string[]) {
  const calls: string[] = [];
  const agent = (agentId: string) => ({ agentId, status: 'healthy' }) as AgentView;
  const api = {
    agents(_filter: ListFilter, limit: number, cursor: string | null): Promise<Page<AgentView>> {
      calls.push(`agents ${cursor ?? 'first'}`);
      const start = cursor === null ? 0 : Number(cursor);
      const items = fleet.slice(start, start + limit).map(agent);
      return Promise.resolve({ items, nextCursor: start + limit < fleet.length ? String(start + limit) : null });
    },
    recentMetrics(ids: readonly string[]): Promise<RecentMetricsResponse> {
      calls.push(`metrics ${ids.length}`);
      return Promise.resolve({ from: '', to: '', items: ids.slice(0, 1).map((agentId) => ({ agentId, windows: 1, count: 1, successes: 1, successRate: 1, latencyP95Ms: 5, costUsd: 0 })) });
    },
  };
  return { api: api as unknown as Api, calls };
}

const filter: ListFilter = { labels: [], sort: 'severity' };
const ids = (n: number, prefix = 'a') => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('PagedAgents (the fleet list by cursor pages)', () => {
  it('loads only the pages asked for, each with one metrics request', async () => {
    const { api, calls } = fakeApi(ids(1000));
    const store = new PagedAgents(api, filter, 100);
    await store.ensure(150);
    expect(store.loaded).toBe(200);
    expect(calls).toEqual(['agents first', 'metrics 100', 'agents 100', 'metrics 100']);
    expect(store.row(0)?.recent?.latencyP95Ms).toBe(5);
    expect(store.row(1)?.recent).toBeNull();
    expect(store.row(199)?.agentId).toBe('a199');
    expect(store.row(200)).toBeUndefined();
    expect(store.complete).toBe(false);
  });

  it('refreshes the pages in view with their own cursors, and drops later pages when the seam moved', async () => {
    const fleet = ids(250);
    const { api, calls } = fakeApi(fleet);
    const store = new PagedAgents(api, filter, 100);
    await store.ensure(300);
    expect(store.complete).toBe(true);
    calls.length = 0;
    fleet.splice(150, 0, 'new-one');
    await store.refresh(120, 140);
    expect(calls).toEqual(['agents 100', 'metrics 100']);
    expect(store.row(150)?.agentId).toBe('new-one');
  });

  it('asks the empty first page again, so the first agent of an empty fleet shows up', async () => {
    const fleet: string[] = [];
    const { api } = fakeApi(fleet);
    const store = new PagedAgents(api, filter, 100);
    await store.ensure(50);
    expect(store.complete).toBe(true);
    expect(store.loaded).toBe(0);
    fleet.push('first-agent');
    await store.refresh(0, 30);
    expect(store.row(0)?.agentId).toBe('first-agent');
  });

  it('patches a loaded row from a transition before the next refresh', async () => {
    const { api } = fakeApi(ids(3));
    const store = new PagedAgents(api, filter, 100);
    await store.ensure(3);
    expect(store.patch('a001', { status: 'degraded' })).toBe(true);
    expect(store.byId('a001')?.status).toBe('degraded');
    expect(store.patch('ghost', { status: 'degraded' })).toBe(false);
  });
});
