import { describe, expect, it } from 'vitest';
import { AppendHandover, EAGER_HANDOVER_RECORDS } from './append-handover.ts';
import type { AppendRequest } from './writer-thread-protocol.ts';

const beat = (id: number): AppendRequest => ({ kind: 'heartbeats', id, topic: 'agent-events', text: '{"agentId":"a"}', context: { tenant: 't', receivedAt: '2026-12-03T00:00:00.000Z' } });
const records = (id: number, n: number, kind: 'records' | 'heartbeat-records' = 'heartbeat-records'): AppendRequest => ({
  kind,
  id,
  topic: 'agent-events',
  records: Array.from({ length: n }, (_, i) => ({ key: `t/a${i}`, value: `{"i":${i}}` })),
});

/** A handover whose turns end when the test says so. */
function given(eagerRecords = EAGER_HANDOVER_RECORDS) {
  const posted: number[][] = [];
  let endOfTurn: (() => void)[] = [];
  const handover = new AppendHandover(
    {
      post: (requests) => posted.push(requests.map((r) => r.id)),
      atEndOfTurn: (flush) => endOfTurn.push(flush),
    },
    eagerRecords,
  );
  const endTurn = (): void => {
    const due = endOfTurn;
    endOfTurn = [];
    for (const flush of due) flush();
  };
  return { handover, posted, endTurn, scheduled: () => endOfTurn.length };
}

describe('AppendHandover', () => {
  it('hands the small requests of one turn over in one message at its end, in order', () => {
    const g = given();
    for (let id = 1; id <= 20; id++) g.handover.push(beat(id));
    g.handover.push(records(21, 3, 'records'));
    expect(g.posted).toEqual([]);
    expect(g.scheduled()).toBe(1);
    g.endTurn();
    expect(g.posted).toEqual([[...Array.from({ length: 21 }, (_, i) => i + 1)]]);
  });

  it('hands a large append over at once, with what was queued before it, and nothing twice', () => {
    const g = given();
    g.handover.push(beat(1));
    g.handover.push(records(2, EAGER_HANDOVER_RECORDS - 2));
    expect(g.posted).toEqual([]);
    g.handover.push(beat(3)); // the 64th record
    expect(g.posted).toEqual([[1, 2, 3]]);
    g.handover.push(records(4, 100));
    expect(g.posted).toEqual([[1, 2, 3], [4]]);
    g.handover.push(beat(5));
    g.endTurn();
    expect(g.posted).toEqual([[1, 2, 3], [4], [5]]);
    g.endTurn();
    expect(g.posted).toHaveLength(3);
  });

  it('posts nothing at the end of a turn whose requests all went at once', () => {
    const g = given();
    g.handover.push(records(1, 200));
    expect(g.posted).toEqual([[1]]);
    g.endTurn();
    expect(g.posted).toEqual([[1]]);
    // The next turn schedules its own end again.
    g.handover.push(beat(2));
    expect(g.scheduled()).toBe(1);
    g.endTurn();
    expect(g.posted).toEqual([[1], [2]]);
  });

  it('counts the records of every kind of append toward handing over at once', () => {
    const g = given(10);
    g.handover.push(records(1, 5, 'records'));
    g.handover.push(records(2, 5, 'heartbeat-records'));
    expect(g.posted).toEqual([[1, 2]]);
    for (let id = 3; id < 12; id++) g.handover.push(beat(id));
    expect(g.posted).toHaveLength(1);
    g.handover.push(beat(12));
    expect(g.posted).toEqual([[1, 2], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]]);
  });

  it('drops what is queued on clear (the thread is gone)', () => {
    const g = given();
    g.handover.push(beat(1));
    g.handover.clear();
    g.endTurn();
    g.handover.flush();
    expect(g.posted).toEqual([]);
    g.handover.push(records(2, EAGER_HANDOVER_RECORDS - 1));
    expect(g.posted).toEqual([]); // the dropped beat no longer counts
  });
});
