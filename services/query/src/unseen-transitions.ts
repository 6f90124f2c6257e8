import type { TransitionView } from '@vigil/contracts';

/**
 * Remembers which transitions a stream has already sent, by id, and picks the unseen ones out of a newest-first page.
 * By id rather than "newer than the last one": a partition that lags can fold an older transition after a newer one,
 * and it must still be sent. Bounded: the oldest ids are forgotten first.
 */
export class UnseenTransitions {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** Marks transitions as sent without returning them (the history before the stream started). */
  markSeen(items: readonly TransitionView[]): void {
    for (const item of items) this.remember(item.id);
  }

  /** The unseen transitions of a newest-first page, oldest first, now marked as seen. */
  take(items: readonly TransitionView[]): TransitionView[] {
    const fresh: TransitionView[] = [];
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      if (this.seen.has(item.id)) continue;
      this.remember(item.id);
      fresh.push(item);
    }
    return fresh;
  }

  /** Whether an id was sent (or marked). */
  has(id: string): boolean {
    return this.seen.has(id);
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
  }
}
