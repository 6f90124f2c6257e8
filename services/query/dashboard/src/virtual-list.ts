/**
 * A scrolling list that keeps only the rows in view (plus a few) in the DOM, at a fixed row height, so that a list of
 * 100,000 agents scrolls like one of ten. Rows are positioned with transforms (CSSOM, allowed by the strict CSP).
 */
export class VirtualList {
  private count = 0;
  private readonly spacer: HTMLDivElement;
  private readonly rows = new Map<number, HTMLElement>();
  private frame: number | null = null;

  constructor(
    private readonly viewport: HTMLElement,
    private readonly rowHeight: number,
    private readonly render: (index: number, row: HTMLElement) => void,
    private readonly onRange: (first: number, last: number) => void,
    private readonly overscan = 8,
  ) {
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.viewport.replaceChildren(this.spacer);
    this.viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  /** Sets how many rows the list has (the scrollbar's length). */
  setCount(count: number): void {
    if (count === this.count) return;
    this.count = count;
    this.spacer.style.height = `${count * this.rowHeight}px`;
    this.schedule();
  }

  /** Redraws every row in view (new data, or the clock moved). */
  redraw(): void {
    for (const [index, row] of this.rows) this.render(index, row);
  }

  /** Scrolls back to the first row. */
  toTop(): void {
    this.viewport.scrollTop = 0;
    this.schedule();
  }

  /** The first and last index in view. */
  visibleRange(): [number, number] {
    const first = Math.floor(this.viewport.scrollTop / this.rowHeight);
    const last = Math.min(this.count - 1, Math.ceil((this.viewport.scrollTop + this.viewport.clientHeight) / this.rowHeight));
    return [first, last];
  }

  private schedule(): void {
    if (this.frame !== null) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.layout();
    });
  }

  private layout(): void {
    const [firstVisible, lastVisible] = this.visibleRange();
    const first = Math.max(0, firstVisible - this.overscan);
    const last = Math.min(this.count - 1, lastVisible + this.overscan);
    for (const [index, row] of this.rows) {
      if (index < first || index > last) {
        row.remove();
        this.rows.delete(index);
      }
    }
    for (let i = first; i <= last; i++) {
      if (this.rows.has(i)) continue;
      const row = document.createElement('div');
      row.className = 'vrow';
      row.setAttribute('role', 'row');
      row.style.transform = `translateY(${i * this.rowHeight}px)`;
      row.style.height = `${this.rowHeight}px`;
      row.setAttribute('aria-rowindex', String(i + 2));
      this.render(i, row);
      this.spacer.appendChild(row);
      this.rows.set(i, row);
    }
    this.onRange(firstVisible, lastVisible);
  }
}
