import type { TransitionView } from '@vigil/contracts';
import type { Cancel, Scheduler } from '@vigil/http';
import type { ReadModel } from '@vigil/store';

/** Transitions read per query; a burst larger than this is read in several pages, never cut. */
export const FEED_PAGE = 1000;

/** A transition as a stream sends it: its fold sequence and its SSE frame, built once for every client. */
export interface FeedItem {
  readonly seq: number;
  readonly transition: TransitionView;
  readonly frame: string;
}

/** What the feed needs. */
export interface TransitionFeedDeps {
  readonly readModel: ReadModel;
  readonly scheduler: Scheduler;
  /**
   * How often the feed asks the read model for transitions it was not told of: the fallback for a read model that
   * another process writes (`vigil serve query` on the projector's file). One query per interval for all clients.
   */
  readonly pollIntervalMs: number;
  /** Where read failures go (fastify's or pino's logger). */
  readonly logger: { info(msg: string): void; warn(obj: object, msg: string): void };
}

interface Subscriber {
  readonly tenant: string;
  /** Sequence of the last transition handed over; only later ones are. */
  cursor: number;
  /** Resuming: its tenant's transitions after `cursor` are read for it before it takes live batches. */
  catchingUp: boolean;
  readonly deliver: (items: readonly FeedItem[]) => void;
}

/** One subscription: `close` removes it. */
export interface FeedSubscription {
  close(): void;
}

/** SSE frame of one transition; its `id` is the transition id, which `Last-Event-ID` sends back. */
export function sseFrame(t: TransitionView): string {
  return `id: ${t.id}\nevent: transition\ndata: ${JSON.stringify(t)}\n\n`;
}

function toItems(rows: readonly { seq: number; transition: TransitionView }[]): FeedItem[] {
  return rows.map((r) => ({ seq: r.seq, transition: r.transition, frame: sseFrame(r.transition) }));
}

/**
 * The shared source of every transition stream of one app: it learns of new transitions from the read model's
 * in-process signal (the projector folding them), or from a shared poll when the file is written elsewhere, reads
 * each new batch ONCE in fold order (all tenants, paged, never truncated) and hands every client its own tenant's part.
 * A client that resumes (`Last-Event-ID`) is first caught up from its tenant's retained transitions, inside the same
 * serialized pump, so it sees neither a gap nor a duplicate between history and live batches.
 */
export class TransitionFeed {
  private readonly byTenant = new Map<string, Set<Subscriber>>();
  private subscribers = 0;
  /** Sequence up to which live batches have been read and handed out. */
  private head = 0;
  private stopTimer: Cancel | null = null;
  private stopSignal: (() => void) | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private failing = false;

  constructor(private readonly deps: TransitionFeedDeps) {}

  /**
   * Adds a client of `tenant` that has seen everything up to `afterSeq` (null: up to now, so only new transitions).
   * `deliver` gets batches in fold order, synchronously from the pump.
   */
  async subscribe(tenant: string, afterSeq: number | null, deliver: (items: readonly FeedItem[]) => void): Promise<FeedSubscription> {
    const latest = await this.deps.readModel.latestTransitionSeq();
    if (this.stopSignal === null) {
      // Nobody was listening: nothing older than now is owed to anyone, so live reading starts from here.
      this.head = Math.max(this.head, latest);
      this.stopSignal = this.deps.readModel.onTransitionsFolded(() => this.wake());
      this.stopTimer = this.deps.scheduler.every(this.deps.pollIntervalMs, () => this.wake());
    }
    const cursor = afterSeq ?? latest;
    const sub: Subscriber = { tenant, cursor, catchingUp: cursor < latest, deliver };
    let set = this.byTenant.get(tenant);
    if (set === undefined) this.byTenant.set(tenant, (set = new Set()));
    set.add(sub);
    this.subscribers++;
    if (sub.catchingUp) this.wake();
    let closed = false;
    return {
      close: () => {
        if (closed) return;
        closed = true;
        set.delete(sub);
        if (set.size === 0 && this.byTenant.get(tenant) === set) this.byTenant.delete(tenant);
        if (--this.subscribers === 0) this.stop();
      },
    };
  }

  /** Reads what was folded since the last read; called by the signal, the poll, and after a resume. */
  wake(): void {
    if (this.pumping !== null) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
    });
  }

  /** Resolves when the pump in flight (if any) is done; for an orderly close and for tests. */
  async idle(): Promise<void> {
    while (this.pumping !== null) await this.pumping;
  }

  /** No client left: no timer, no signal, nothing held. The next client starts it again. */
  private stop(): void {
    this.stopTimer?.();
    this.stopSignal?.();
    this.stopTimer = null;
    this.stopSignal = null;
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.catchUp();
        await this.readLive();
      } while (this.again);
      if (this.failing) this.deps.logger.info('read model reachable again');
      this.failing = false;
    } catch (err) {
      // The next signal or poll tries again from the same head: nothing is skipped.
      if (!this.failing) this.deps.logger.warn({ err }, 'could not read new transitions; retrying');
      this.failing = true;
    }
  }

  private async catchUp(): Promise<void> {
    for (const [tenant, set] of this.byTenant) {
      for (const sub of set) {
        if (!sub.catchingUp) continue;
        for (;;) {
          const page = toItems(await this.deps.readModel.transitionsAfter(sub.cursor, FEED_PAGE, tenant));
          if (page.length > 0) {
            sub.cursor = page[page.length - 1]!.seq;
            sub.deliver(page);
          }
          if (page.length < FEED_PAGE) break;
        }
        sub.catchingUp = false;
      }
    }
  }

  private async readLive(): Promise<void> {
    for (;;) {
      const page = toItems(await this.deps.readModel.transitionsAfter(this.head, FEED_PAGE));
      if (page.length === 0) return;
      this.head = page[page.length - 1]!.seq;
      this.dispatch(page);
      if (page.length < FEED_PAGE) return;
    }
  }

  private dispatch(page: readonly FeedItem[]): void {
    const perTenant = new Map<string, FeedItem[]>();
    for (const item of page) {
      if (!this.byTenant.has(item.transition.tenant)) continue;
      let list = perTenant.get(item.transition.tenant);
      if (list === undefined) perTenant.set(item.transition.tenant, (list = []));
      list.push(item);
    }
    for (const [tenant, items] of perTenant) {
      for (const sub of this.byTenant.get(tenant) ?? []) {
        if (sub.catchingUp) continue;
        const fresh = items[0]!.seq > sub.cursor ? items : items.filter((i) => i.seq > sub.cursor);
        if (fresh.length === 0) continue;
        sub.cursor = fresh[fresh.length - 1]!.seq;
        sub.deliver(fresh);
      }
    }
  }
}
