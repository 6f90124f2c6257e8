/**
 * The tenant-isolation and role matrix, run against a real platform (a `vigil up` process, or `vigil serve` processes
 * on Kafka): every route, the SSE stream, the dashboard and the CLI are called with keys of tenant globex (B) against
 * the agents of tenant acme (A), and nothing of A may be read, listed, streamed, killed, resumed or changed; the same
 * agent id in both tenants is two agents. Each check is one row of the matrix; the spec prints its size.
 */
import type { AgentView, TransitionView } from '@vigil/contracts';
import { expect } from 'vitest';
import { ApiClient, type ApiResponse } from '../e2e/support/api-client.ts';
import { runVigilCli } from '../e2e/support/vigil-cli.ts';
import { waitUntil } from '../e2e/support/wait-for.ts';

/** Where the platform answers: ingest and query may be one process (`vigil up`) or two (`vigil serve`). */
export interface PlatformUrls {
  readonly ingestUrl: string;
  readonly queryUrl: string;
  /** An admin key (the bootstrap key). */
  readonly adminKey: string;
  /** Generous bound of every wait: the machine is shared and loaded. */
  readonly timeoutMs: number;
}

/** One created key. */
export interface CreatedKey {
  readonly id: string;
  readonly key: string;
  readonly tenant: string;
  readonly role: string;
}

/** The keys the matrix uses. */
export interface TenantKeys {
  readonly operatorA: CreatedKey;
  readonly agentA: CreatedKey;
  readonly operatorB: CreatedKey;
  readonly agentB: CreatedKey;
}

/** One row: a surface and route, the case, and whether it held. */
export interface MatrixRow {
  readonly route: string;
  readonly kase: string;
}

/** Creates an operator and an agent key for each tenant with the admin key, through `POST /v1/keys`. */
export async function createTenantKeys(urls: PlatformUrls): Promise<TenantKeys> {
  const admin = new ApiClient(urls.queryUrl, urls.adminKey);
  const create = async (tenant: string, role: string): Promise<CreatedKey> => {
    const res = await admin.request<CreatedKey>('POST', '/v1/keys', { tenant, role, name: `matrix ${role} ${tenant}` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  return {
    operatorA: await create('acme', 'operator'),
    agentA: await create('acme', 'agent'),
    operatorB: await create('globex', 'operator'),
    agentB: await create('globex', 'agent'),
  };
}

/**
 * A call that every key reaches the auth hook with, at ingest (`POST /v1/heartbeats`) or query (`GET
 * /v1/fleet/summary`): 401 means the key is unknown; anything else (202, 400, 403) means it authenticated.
 */
function authProbe(service: 'ingest' | 'query', url: string, key: string): () => Promise<ApiResponse> {
  const client = new ApiClient(url, key);
  return service === 'ingest' ? () => client.request('POST', '/v1/heartbeats', { heartbeats: [] }) : () => client.request('GET', '/v1/fleet/summary');
}

/** Waits until a key authenticates at a service (a key created through query reaches ingest through the api-keys topic). */
export async function waitForKey(service: 'ingest' | 'query', url: string, key: string, timeoutMs: number): Promise<void> {
  await waitUntil(`key works at ${service}`, authProbe(service, url, key), (r) => r.status !== 401, { timeoutMs, intervalMs: 50 });
}

function sorted<T>(items: T[], by: (t: T) => string): T[] {
  return [...items].sort((a, b) => by(a).localeCompare(by(b)));
}

/** Reads transitions of a stream for a while: until `until` holds for what arrived, or the timeout. */
async function readStream(url: string, key: string, start: () => Promise<void>, until: (seen: TransitionView[]) => boolean, timeoutMs: number): Promise<TransitionView[]> {
  const controller = new AbortController();
  const res = await fetch(`${url}/v1/transitions/stream`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const seen: TransitionView[] = [];
  let buffer = '';
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    await start();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        if (frame.split('\n').some((l) => l === 'event: transition') && data !== '') seen.push(JSON.parse(data) as TransitionView);
      }
      if (until(seen)) break;
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return seen;
}

/**
 * Runs the matrix and returns its rows. Tenant A (acme) has agents `a-only`, `a-second` and `shared-id`; tenant B
 * (globex) has `shared-id`, and makes its own `a-second` on the way. A's agents beat once, with a long interval, so their views must stay exactly as they were.
 */
export async function runTenantMatrix(urls: PlatformUrls, keys: TenantKeys): Promise<MatrixRow[]> {
  const rows: MatrixRow[] = [];
  const row = (route: string, kase: string): void => {
    rows.push({ route, kase });
  };
  const t = { timeoutMs: urls.timeoutMs };
  const ingestA = new ApiClient(urls.ingestUrl, keys.agentA.key);
  const ingestB = new ApiClient(urls.ingestUrl, keys.agentB.key);
  const opA = new ApiClient(urls.queryUrl, keys.operatorA.key);
  const opB = new ApiClient(urls.queryUrl, keys.operatorB.key);
  const agentBAtQuery = new ApiClient(urls.queryUrl, keys.agentB.key);
  for (const k of [keys.agentA.key, keys.agentB.key]) await waitForKey('ingest', urls.ingestUrl, k, urls.timeoutMs);

  await ingestA.post('/v1/heartbeats', { heartbeats: [{ agentId: 'a-only', intervalSeconds: 300, labels: { team: 'acme-secret' } }, { agentId: 'a-second', intervalSeconds: 300 }, { agentId: 'shared-id', intervalSeconds: 300 }] });
  await ingestB.post('/v1/heartbeats', { agentId: 'shared-id', intervalSeconds: 300, labels: { team: 'globex' } });
  await waitUntil('A sees its three agents', () => opA.agents(), (a) => a.length === 3, t);
  await waitUntil('B sees its one agent', () => opB.agents(), (a) => a.length === 1, t);
  // The agent row lands with the beat, its first transition (and the reason it sets) a moment later: take the "before"
  // views only once every first transition is folded, or a late fold reads as a change made by tenant B.
  await waitUntil("A's first transitions folded", () => opA.transitions(), (tr) => tr.length === 3, t);
  await waitUntil("B's first transition folded", () => opB.transitions(), (tr) => tr.length === 1, t);
  const before = sorted(await opA.agents(), (a) => a.agentId);
  const transitionsBefore = await opA.transitions();

  const expectNotFound = (res: ApiResponse, route: string, kase = 'B cannot reach an agent of A'): void => {
    expect(res.status, `${route}: ${JSON.stringify(res.body)}`).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('acme');
    // A route this build does not have yet (another issue's) is not a row of the matrix.
    if ((res.body as { error?: { code?: string } }).error?.code === 'VIGIL_ERR_ROUTE_NOT_FOUND') return;
    expect((res.body as { error: { code: string } }).error.code).toBe('VIGIL_ERR_AGENT_NOT_FOUND');
    row(route, kase);
  };

  // Reads: B's lists hold only B's agents; A's agent is unknown to B.
  const listB = await opB.agents();
  expect(listB.map((a) => [a.tenant, a.agentId])).toEqual([['globex', 'shared-id']]);
  row('GET /v1/agents', 'B lists only its own agents');
  for (const query of ['?q=a-only', '?q=acme-secret', '?label=team:acme-secret', '?deliverable=true', '?status=healthy', '?sort=id']) {
    const res = await opB.request<{ items: AgentView[]; error?: { field?: string } }>('GET', `/v1/agents${query}`);
    // A filter this build does not have yet (issue 8's q= and sort=) is refused naming it: not a row of the matrix.
    if (res.status === 400 && res.body.error?.field !== undefined && query.startsWith(`?${res.body.error.field}=`)) continue;
    expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
    expect(res.body.items.every((a) => a.tenant === 'globex' && a.agentId !== 'a-only'), query).toBe(true);
    row(`GET /v1/agents${query}`, 'B finds nothing of A by filter');
  }
  expectNotFound(await opB.request('GET', '/v1/agents/a-only'), 'GET /v1/agents/:id');
  expectNotFound(await opB.request('GET', '/v1/agents/a-only/transitions'), 'GET /v1/agents/:id/transitions');
  expectNotFound(await opB.request('GET', '/v1/agents/a-only/metrics'), 'GET /v1/agents/:id/metrics');
  expectNotFound(await opB.request('GET', '/v1/agents/a-only/history'), 'GET /v1/agents/:id/history');
  const shared = await opB.get<AgentView>('/v1/agents/shared-id');
  expect([shared.tenant, shared.labels]).toEqual(['globex', { team: 'globex' }]);
  row('GET /v1/agents/:id', 'the same id in two tenants is two agents');
  expect((await opB.transitions()).every((tr) => tr.tenant === 'globex')).toBe(true);
  row('GET /v1/transitions', 'B sees only its own transitions');
  expect(await opB.summary()).toMatchObject({ total: 1 });
  row('GET /v1/fleet/summary', 'B counts only its own agents');
  expect(await opB.get('/v1/whoami')).toStrictEqual({ keyId: keys.operatorB.id, tenant: 'globex', role: 'operator', name: 'matrix operator globex' });
  expect(await agentBAtQuery.get('/v1/whoami')).toMatchObject({ keyId: keys.agentB.id, tenant: 'globex', role: 'agent' });
  row('GET /v1/whoami', "a key of B is told it is B's (agent and operator), never A's");

  // Writes: B's control calls on A's agent are refused; B's own agent of the same id is B's.
  expectNotFound(await opB.request('POST', '/v1/agents/a-only/kill', { reason: 'cross-tenant' }), 'POST /v1/agents/:id/kill');
  expectNotFound(await opB.request('POST', '/v1/agents/a-only/resume', { reason: 'cross-tenant' }), 'POST /v1/agents/:id/resume');
  expectNotFound(await opB.request('DELETE', '/v1/agents/a-only'), 'DELETE /v1/agents/:id');
  // B acts on `a-second`, an id A uses, as on an id of its own: B's namespace gets an agent of that id, A's is untouched.
  const thresholds = await opB.request('PUT', '/v1/agents/a-second/thresholds', { degradedAfter: '1s', unreachableAfter: '2s' });
  expect(thresholds.status).toBe(202);
  row('PUT /v1/agents/:id/thresholds', "B's thresholds for an id A uses apply to B's namespace only");
  expect((await opB.request('PUT', '/v1/thresholds', { degradedAfter: '1s', unreachableAfter: '2s' })).status).toBe(202);
  row('PUT /v1/thresholds', "B's tenant-wide thresholds apply to B only");
  expect((await ingestB.request('POST', '/v1/agents/a-second/goodbye', {})).status).toBe(202);
  row('POST /v1/agents/:id/goodbye', "B's goodbye for an id A uses stops nothing of A");
  const beat = await ingestB.request<{ agents: { agentId: string; status: string | null }[] }>('POST', '/v1/heartbeats', { agentId: 'a-second', intervalSeconds: 60 });
  expect(beat.status).toBe(202);
  const ownSecond = await waitUntil("B's own a-second beats", () => opB.agent('a-second'), (a) => a?.intervalSeconds === 60, t);
  expect([ownSecond?.tenant, ownSecond?.labels]).toEqual(['globex', {}]);
  row('POST /v1/heartbeats', "B's beat for an id A uses is B's own agent");

  // Webhooks: A's webhook (and its secret, URL and deliveries) is invisible and untouchable for B.
  // Every platform the matrix runs against serves webhooks (`vigil serve query` with VIGIL_WEBHOOK_STORE): a 404 here
  // fails the matrix rather than dropping its webhook rows.
  const hook = await opA.request<{ id: string }>('POST', '/v1/webhooks', { url: 'https://hooks.example.com/acme-secret' });
  expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  const listed = await opB.request('GET', '/v1/webhooks');
  expect(listed.status).toBe(200);
  expect(JSON.stringify(listed.body)).not.toContain('acme-secret');
  row('GET /v1/webhooks', "B lists none of A's webhooks");
  for (const [method, path] of [
    ['GET', `/v1/webhooks/${hook.body.id}`],
    ['GET', `/v1/webhooks/${hook.body.id}/deliveries`],
    ['POST', `/v1/webhooks/${hook.body.id}/test`],
    ['DELETE', `/v1/webhooks/${hook.body.id}`],
  ] as const) {
    const res = await opB.request(method, path, method === 'POST' ? {} : undefined);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('acme-secret');
    row(`${method} ${path.replace(hook.body.id, ':id')}`, "B cannot reach a webhook of A");
  }
  expect((await opA.request('GET', `/v1/webhooks/${hook.body.id}`)).status).toBe(200);
  row('GET /v1/webhooks/:id', "A's webhook survives B's delete");

  // Roles on the way: B's agent key reads nothing, B's operator key manages no keys.
  expect((await agentBAtQuery.request('GET', '/v1/agents')).status).toBe(403);
  row('GET /v1/agents', 'an agent key is refused (403)');
  const keysAsOperator = await opB.request<{ error: { code: string; message: string } }>('GET', '/v1/keys');
  expect([keysAsOperator.status, keysAsOperator.body.error.code]).toEqual([403, 'VIGIL_ERR_FORBIDDEN']);
  expect(keysAsOperator.body.error.message).toContain('admin');
  row('GET /v1/keys', 'an operator key is refused (403 naming admin)');
  expect((await opB.request('POST', '/v1/keys', { tenant: 'acme', role: 'admin' })).status).toBe(403);
  row('POST /v1/keys', 'an operator of B cannot mint keys of A');
  expect((await opB.request('DELETE', `/v1/keys/${keys.operatorA.id}`)).status).toBe(403);
  row('DELETE /v1/keys/:id', "an operator of B cannot revoke A's keys");

  // Stream: while A's agent is killed by A, B's stream carries only B's transitions (B kills its own shared-id after
  // A's kill is visible, so a leaking stream would have delivered A's transition first).
  const streamed = await readStream(
    urls.queryUrl,
    keys.operatorB.key,
    async () => {
      await opA.post('/v1/agents/a-only/kill', { reason: 'A kills its own' });
      await waitUntil('A sees a-only killed', () => opA.agent('a-only'), (a) => a?.status === 'killed', t);
      await opB.post('/v1/agents/shared-id/kill', { reason: 'B kills its own' });
    },
    (seen) => seen.some((tr) => tr.agentId === 'shared-id' && tr.to === 'killed'),
    urls.timeoutMs,
  );
  expect(streamed.some((tr) => tr.agentId === 'shared-id' && tr.to === 'killed')).toBe(true);
  expect(streamed.every((tr) => tr.tenant === 'globex')).toBe(true);
  row('GET /v1/transitions/stream', "B's stream carries none of A's transitions");
  await opA.post('/v1/agents/a-only/resume', { reason: 'back' });
  await waitUntil('A sees a-only resumed', () => opA.agent('a-only'), (a) => a?.status === 'healthy', t);
  expect((await opA.agent('shared-id'))?.status).toBe('healthy');
  row('POST /v1/agents/:id/kill', "B's kill of its shared-id leaves A's shared-id healthy");

  // Dashboard: the page holds no data; its data is the API above.
  const page = await fetch(`${urls.queryUrl}/dashboard`);
  expect(page.status).toBe(200);
  expect(await page.text()).not.toContain('a-only');
  row('GET /dashboard', 'the page itself carries no agent data');

  // CLI with B's operator key.
  const cli = (...args: string[]) => runVigilCli([...args, '--url', urls.queryUrl, '--api-key', keys.operatorB.key]);
  const agentsCli = await cli('agents', '--json');
  expect(agentsCli.code, agentsCli.stderr).toBe(0);
  expect((JSON.parse(agentsCli.stdout) as AgentView[]).every((a) => a.tenant === 'globex')).toBe(true);
  row('vigil agents', 'B lists only its own agents');
  for (const args of [['agent', 'a-only'], ['kill', 'a-only', '--reason', 'x'], ['resume', 'a-only']]) {
    const run = await cli(...args);
    expect([run.code, run.stderr]).toEqual([1, expect.stringContaining('VIGIL_ERR_AGENT_NOT_FOUND')]);
    row(`vigil ${args[0]}`, 'B cannot reach an agent of A');
  }
  const summaryCli = await cli('summary', '--json');
  expect(JSON.parse(summaryCli.stdout)).toMatchObject({ total: 2 });
  row('vigil summary', "B counts only its own agents (shared-id and its own a-second)");
  const keysCli = await cli('keys', 'list');
  expect([keysCli.code, keysCli.stderr]).toEqual([1, expect.stringContaining('VIGIL_ERR_FORBIDDEN')]);
  row('vigil keys list', 'an operator key is refused');

  // Nothing of A changed: every view as before (B's kill, resume, thresholds, goodbye and beat touched none of it).
  const after = sorted(await opA.agents(), (a) => a.agentId);
  // a-only was killed and resumed by A itself on the way; everything else of it, and all of shared-id, is as before.
  const comparable = (views: AgentView[]) => views.map((v) => (v.agentId === 'a-only' ? { ...v, statusSince: '', killed: null, lastReason: '' } : v));
  expect(comparable(after)).toEqual(comparable(before));
  const transitionsAfter = await opA.transitions();
  expect(transitionsAfter.filter((tr) => tr.agentId === 'shared-id')).toEqual(transitionsBefore.filter((tr) => tr.agentId === 'shared-id'));
  expect(transitionsAfter.every((tr) => tr.tenant === 'acme')).toBe(true);
  row('A after the matrix', "A's agents, thresholds and transitions unchanged by B");
  return rows;
}

/** `routes × cases` as printed by the specs: distinct routes/commands, distinct cases, and the checks made. */
export function matrixSize(rows: readonly MatrixRow[]): string {
  const routes = new Set(rows.map((r) => r.route.replace(/\?.*$/, ''))).size;
  const cases = new Set(rows.map((r) => r.kase)).size;
  return `${routes} routes/commands × ${cases} cases: ${rows.length} checks`;
}

/**
 * Roles and revocation: each role's key on a route of each role (403 naming the role needed), and a key revoked through
 * the query API answering 401 at ingest and query within one second of the revocation's answer.
 */
export async function runRoleChecks(urls: PlatformUrls, keys: TenantKeys): Promise<MatrixRow[]> {
  const rows: MatrixRow[] = [];
  const calls = [
    { route: 'POST /v1/heartbeats', url: urls.ingestUrl, method: 'POST', path: '/v1/heartbeats', body: { agentId: 'role-probe', intervalSeconds: 300 }, needs: 'agent' },
    { route: 'GET /v1/fleet/summary', url: urls.queryUrl, method: 'GET', path: '/v1/fleet/summary', needs: 'operator' },
    { route: 'PUT /v1/agents/:id/thresholds', url: urls.queryUrl, method: 'PUT', path: '/v1/agents/role-probe/thresholds', body: { degradedAfter: null }, needs: 'operator' },
    { route: 'GET /v1/keys', url: urls.queryUrl, method: 'GET', path: '/v1/keys', needs: 'admin' },
  ] as const;
  const ranks = { agent: 0, operator: 1, admin: 2 } as const;
  const holders = [
    ['agent', keys.agentA.key],
    ['operator', keys.operatorA.key],
    ['admin', urls.adminKey],
  ] as const;
  for (const call of calls) {
    for (const [role, key] of holders) {
      const res = await new ApiClient(call.url, key).request<{ error?: { code: string; message: string } }>(call.method, call.path, 'body' in call ? call.body : undefined);
      if (ranks[role] >= ranks[call.needs]) expect(res.status, `${role} on ${call.route}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      else {
        expect(res.status, `${role} on ${call.route}`).toBe(403);
        expect(res.body.error).toMatchObject({ code: 'VIGIL_ERR_FORBIDDEN', message: expect.stringContaining(`role ${call.needs}`) });
      }
      rows.push({ route: call.route, kase: `a key of role ${role}` });
    }
  }

  const admin = new ApiClient(urls.queryUrl, urls.adminKey);
  const temp = (await admin.request<CreatedKey>('POST', '/v1/keys', { tenant: 'acme', role: 'operator', name: 'to revoke' })).body;
  const services = [
    ['ingest', urls.ingestUrl],
    ['query', urls.queryUrl],
  ] as const;
  for (const [service, url] of services) await waitForKey(service, url, temp.key, urls.timeoutMs);
  const revoked = await admin.request('DELETE', `/v1/keys/${temp.id}`);
  expect(revoked.status).toBe(200);
  const revokedAt = Date.now();
  for (const [service, url] of services) {
    await waitUntil(`revoked key refused at ${service}`, authProbe(service, url, temp.key), (r) => r.status === 401, { timeoutMs: 5_000, intervalMs: 25 });
    expect(Date.now() - revokedAt, `revocation reached ${service}`).toBeLessThanOrEqual(1_000);
    rows.push({ route: service, kase: 'a revoked key answers 401 within 1 s' });
  }
  const listed = (await admin.get<{ items: { id: string }[] }>('/v1/keys')).items.map((k) => k.id);
  expect(listed).not.toContain(temp.id);
  expect(JSON.stringify(await admin.get('/v1/keys'))).not.toContain(keys.operatorA.key);
  rows.push({ route: 'GET /v1/keys', kase: 'lists keys without the keys, revoked ones gone' });
  return rows;
}
