/**
 * A binary min-heap of (deadline, item, generation), equal deadlines ordered by the item's `seq`. Closing a window pops only the entries due in it, so
 * its cost is proportional to the agents whose deadlines fall in the window, and peeking at an idle window is O(1).
 * Entries are never updated in place: a newer entry supersedes an older one through the generation the caller keeps
 * on the item, and superseded entries are dropped when they surface (lazy deletion).
 */
export class DeadlineQueue<T extends { readonly seq: number }> {
  private readonly times: number[] = [];
  private readonly gens: number[] = [];
  private readonly items: T[] = [];

  /** Number of entries, superseded ones included. */
  get size(): number {
    return this.times.length;
  }

  /** Earliest deadline, or +Infinity when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** Adds an entry; `item.seq` orders equal deadlines so pops are deterministic across restarts. */
  push(time: number, item: T, gen: number): void {
    const t = this.times;
    let i = t.length;
    t.push(time);
    this.gens.push(gen);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the earliest entry and hands it to `out` (avoids allocating a tuple per pop). */
  pop(out: { time: number; item: T | undefined; gen: number }): boolean {
    const n = this.times.length;
    if (n === 0) return false;
    out.time = this.times[0]!;
    out.item = this.items[0];
    out.gen = this.gens[0]!;
    const last = n - 1;
    if (last > 0) this.swap(0, last);
    this.times.pop();
    this.gens.pop();
    this.items.pop();
    let i = 0;
    const size = last;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      const child = r < size && this.less(r, l) ? r : l;
      if (!this.less(child, i)) break;
      this.swap(i, child);
      i = child;
    }
    return true;
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.items[a]!.seq < this.items[b]!.seq);
  }

  private swap(a: number, b: number): void {
    const t = this.times[a]!;
    this.times[a] = this.times[b]!;
    this.times[b] = t;
    const g = this.gens[a]!;
    this.gens[a] = this.gens[b]!;
    this.gens[b] = g;
    const it = this.items[a]!;
    this.items[a] = this.items[b]!;
    this.items[b] = it;
  }
}
