import { agentKey } from '@vigil/contracts';
import { partitionForKey } from '@vigil/log';
import type { ApiClient } from './api-client.ts';
import { waitUntil } from './wait-for.ts';

/** Tenant of the `up` API key. */
const TENANT = 'default';

/** One probe agent id per partition, `<prefix>-<n>`, chosen with the platform's own partitioner. */
export function probeAgentIds(prefix: string, partitions: number): string[] {
  const byPartition = new Map<number, string>();
  for (let n = 0; byPartition.size < partitions; n++) {
    const id = `${prefix}-${n}`;
    const p = partitionForKey(agentKey(TENANT, id), partitions);
    if (!byPartition.has(p)) byPartition.set(p, id);
  }
  return [...byPartition.values()];
}

/**
 * Proves that everything already on the log has gone all the way through (detector, transitions topic, projector),
 * without sleeping: the log is ordered per partition, so once a fresh probe agent on every partition is seen to have
 * beaten and said goodbye (its `stopped` transition projected), every earlier event on those partitions has been
 * handled and projected. Probes end `stopped`, which no clock changes, so they never disturb a later comparison;
 * they are real agents (ids `<prefix>-<n>`), which callers leave out of what they compare. Returns their ids.
 */
export async function flushPipeline(api: ApiClient, prefix: string, partitions: number, timeoutMs: number): Promise<string[]> {
  const probes = probeAgentIds(prefix, partitions);
  await api.post('/v1/heartbeats', { heartbeats: probes.map((agentId) => ({ agentId, intervalSeconds: 1 })) });
  for (const probe of probes) await api.post(`/v1/agents/${probe}/goodbye`, { reason: 'pipeline flush probe' });
  for (const probe of probes) {
    await waitUntil(
      `probe ${probe} to be projected as stopped`,
      async () => ({ agent: await api.agent(probe), transitions: await api.transitionsOf(probe) }),
      ({ agent, transitions }) => agent?.status === 'stopped' && transitions.at(-1)?.to === 'stopped',
      { timeoutMs },
    );
  }
  return probes;
}
