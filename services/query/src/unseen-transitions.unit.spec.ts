import type { TransitionView } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import { UnseenTransitions } from './unseen-transitions.ts';

function t(id: string): TransitionView {
  const at = '2025-01-01T00:00:00.000Z';
  return { id, tenant: 'acme', agentId: 'a', from: 'healthy', to: 'degraded', at, detectedAt: at, reason: 'r', lastHeartbeatAt: at };
}

describe('UnseenTransitions', () => {
  it('returns the unseen transitions of a newest-first page, oldest first', () => {
    const unseen = new UnseenTransitions();
    unseen.markSeen([t('1')]);
    expect(unseen.take([t('3'), t('2'), t('1')]).map((x) => x.id)).toEqual(['2', '3']);
    expect(unseen.take([t('3'), t('2'), t('1')])).toEqual([]);
  });

  it('still sends a transition folded late below newer ones', () => {
    const unseen = new UnseenTransitions();
    unseen.markSeen([t('new'), t('old')]);
    expect(unseen.take([t('new'), t('late'), t('old')]).map((x) => x.id)).toEqual(['late']);
  });

  it('forgets the oldest ids beyond its capacity', () => {
    const unseen = new UnseenTransitions(2);
    unseen.markSeen([t('1'), t('2'), t('3')]);
    expect(unseen.has('1')).toBe(false);
    expect(unseen.has('3')).toBe(true);
  });
});
