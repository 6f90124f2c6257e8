import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildQueryApp } from '../../services/query/src/build-app.ts';
import { queryConfig } from '../../services/query/src/config.ts';
import { RecentControls } from '../../services/query/src/recent-controls.ts';
import { AUTH, createHarness, readAgentEvents, seedAgent, seedTransition, type Harness } from '../support/service-harness.ts';

/**
 * Regression (issue 11): a resume sent right after a kill answered 409 "not killed" until the projector had folded the
 * kill into the read model, though the kill was already on the log ahead of it. Control requests now judge against the
 * log's order: the query process remembers the last kill/resume it appended per agent until the read model moves past it.
 */
let h: Harness;
let app: FastifyInstance;

beforeEach(async () => {
  h = await createHarness();
  app = buildQueryApp(
    { log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, now: h.now, newId: h.newId },
    queryConfig(),
  );
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await h.close();
});

const post = (url: string, payload: Record<string, unknown>) => app.inject({ method: 'POST', url, headers: AUTH, payload });

describe('resume right after kill', () => {
  it('accepts the resume before the kill is projected, and the log holds kill then resume', async () => {
    await seedAgent(h, 'a', 'healthy');
    h.clock.now += 1000;
    expect((await post('/v1/agents/a/kill', { reason: 'runaway' })).statusCode).toBe(202);
    const resume = await post('/v1/agents/a/resume', { reason: 'fixed' });
    expect(resume.statusCode).toBe(202);
    expect((await readAgentEvents(h)).map((e) => e.type)).toEqual(['agent-killed', 'agent-resumed']);
  });

  it('answers 409 to a second resume, which the log would show as a resume of a running agent', async () => {
    await seedAgent(h, 'a', 'healthy');
    expect((await post('/v1/agents/a/kill', { reason: 'runaway' })).statusCode).toBe(202);
    expect((await post('/v1/agents/a/resume', {})).statusCode).toBe(202);
    const again = await post('/v1/agents/a/resume', {});
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'VIGIL_ERR_AGENT_NOT_KILLED' });
    expect(again.json().error.message).toContain('already resumed');
    expect(await readAgentEvents(h)).toHaveLength(2);
  });

  it('judges by the read model again once it has moved past the remembered kill', async () => {
    await seedAgent(h, 'a', 'healthy');
    expect((await post('/v1/agents/a/kill', { reason: 'runaway' })).statusCode).toBe(202);
    // Another operator's resume (another process) was projected after the kill: the agent is healthy again.
    await seedTransition(h, 'a', 'tr-later', h.clock.now + 5000, 'healthy');
    expect((await post('/v1/agents/a/resume', {})).statusCode).toBe(409);
  });

  it('still answers 409 for an agent nobody killed', async () => {
    await seedAgent(h, 'a', 'healthy');
    expect((await post('/v1/agents/a/resume', {})).statusCode).toBe(409);
    expect(await readAgentEvents(h)).toHaveLength(0);
  });
});

describe('RecentControls', () => {
  it('keeps at most its capacity, dropping the oldest agent first', () => {
    const recent = new RecentControls(2);
    recent.record('t', 'a', { type: 'kill', at: 1 });
    recent.record('t', 'b', { type: 'kill', at: 1 });
    recent.record('t', 'c', { type: 'kill', at: 1 });
    expect(recent.size).toBe(2);
    expect(recent.pending('t', 'a', 0)).toBeNull();
    expect(recent.pending('t', 'c', 0)).toEqual({ type: 'kill', at: 1 });
  });

  it('keeps tenants apart', () => {
    const recent = new RecentControls();
    recent.record('acme', 'a', { type: 'kill', at: 10 });
    expect(recent.pending('globex', 'a', 0)).toBeNull();
  });
});
