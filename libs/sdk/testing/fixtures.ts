import type { AgentView, TransitionView } from '@vigil/contracts';

/** A valid `AgentView` for tests, healthy unless overridden. */
export function agentView(overrides: Partial<AgentView> = {}): AgentView {
  return {
    tenant: 'acme',
    agentId: 'agent-1',
    status: 'healthy',
    statusSince: '2025-01-01T00:00:00.000Z',
    deliverable: true,
    lastHeartbeatAt: '2025-01-01T00:00:30.000Z',
    registeredAt: '2025-01-01T00:00:00.000Z',
    instanceId: 'i-1',
    intervalSeconds: 30,
    restarts: 0,
    flapping: false,
    progress: null,
    host: 'box',
    version: '1.0.0',
    labels: {},
    killed: null,
    lastReason: 'first heartbeat',
    ...overrides,
  };
}

/** A valid `TransitionView` for tests. */
export function transitionView(overrides: Partial<TransitionView> = {}): TransitionView {
  return {
    id: 't-1',
    tenant: 'acme',
    agentId: 'agent-1',
    from: 'healthy',
    to: 'degraded',
    at: '2025-01-01T00:02:00.000Z',
    detectedAt: '2025-01-01T00:02:01.000Z',
    reason: 'no heartbeat for 90s',
    lastHeartbeatAt: '2025-01-01T00:00:30.000Z',
    ...overrides,
  };
}
