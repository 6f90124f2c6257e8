/**
 * Regression: `GET /v1/agents?label=a:b&label=c:d` answered 400, though the CLI (`--label` repeated) and the SDK
 * (`listAgents({ labels })`) send several labels exactly that way. Every label given must now match. Checked through
 * the real query app on a port, with raw HTTP, the SDK and the CLI.
 */
import type { AddressInfo } from 'node:net';
import { CONTRACT_VERSION, type HeartbeatEvent } from '@vigil/contracts';
import { buildQueryApp, queryConfig } from '@vigil/query';
import { VigilClient } from '@vigil/sdk';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../libs/cli/src/main.ts';
import { memoryIo } from '../../libs/cli/testing/index.ts';
import { API_KEY, T0, TENANT, createHarness, type Harness } from '../support/service-harness.ts';

let h: Harness;
let app: FastifyInstance;
let url: string;

function beat(agentId: string, labels: Record<string, string>, tenant = TENANT): HeartbeatEvent {
  const time = new Date(T0).toISOString();
  return {
    version: CONTRACT_VERSION,
    id: `hb-${tenant}-${agentId}`,
    time,
    tenant,
    agentId,
    type: 'heartbeat',
    data: { instanceId: 'i-1', intervalSeconds: 30, seq: 0, sentAt: time, receivedAt: time, labels },
  };
}

beforeEach(async () => {
  h = await createHarness();
  await h.readModel.apply(
    [
      beat('both', { team: 'search', env: 'prod' }),
      beat('team-only', { team: 'search', env: 'dev' }),
      beat('env-only', { team: 'billing', env: 'prod' }),
      beat('other-tenant', { team: 'search', env: 'prod' }, 'globex'),
    ],
    { topic: h.topics.agentEvents, partition: 0, nextOffset: 4 },
  );
  app = buildQueryApp({ log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, now: h.now, newId: h.newId }, queryConfig());
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await app.close();
  await h.close();
});

describe('several label filters on GET /v1/agents', () => {
  it('answers 200 with the agents carrying every label, over HTTP', async () => {
    const res = await fetch(`${url}/v1/agents?label=team:search&label=env:prod`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { agentId: string }[] };
    expect(body.items.map((a) => a.agentId)).toEqual(['both']);
  });

  it('filters by several labels through the SDK', async () => {
    const client = new VigilClient({ apiKey: API_KEY, url });
    const ids: string[] = [];
    for await (const agent of client.listAgents({ labels: { team: 'search', env: 'prod' } })) ids.push(agent.agentId);
    expect(ids).toEqual(['both']);
    const one: string[] = [];
    for await (const agent of client.listAgents({ labels: { env: 'prod' } })) one.push(agent.agentId);
    expect(one).toEqual(['both', 'env-only']);
  });

  it('filters by several labels through the CLI', async () => {
    const m = memoryIo({ env: { VIGIL_URL: url, VIGIL_API_KEY: API_KEY } });
    expect(await main(['agents', '--label', 'team:search', '--label', 'env:prod', '--json'], m.io)).toBe(0);
    expect((JSON.parse(m.stdout()) as { agentId: string }[]).map((a) => a.agentId)).toEqual(['both']);
  });
});
