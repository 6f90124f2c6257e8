import type { AgentView, RecentMetrics } from '@vigil/contracts';
import type { Api, ListFilter } from './api.ts';

/** An agent of the fleet list with its last hour of metrics (null: no samples, or not asked yet). */
export type AgentRow = AgentView & { recent: RecentMetrics | null };

interface LoadedPage {
  /** The cursor this page was asked with (null: the first page); kept so the page can be asked again. */
  readonly cursor: string | null;
  rows: AgentRow[];
  next: string | null;
}

/**
 * The fleet list for one filter, as pages fetched by cursor: only what the operator scrolled to is ever loaded, and a
 * loaded page can be asked again with its own cursor to refresh the rows on screen. The server keeps the order
 * (severity, id or last seen) and the cursors, so 100,000 agents cost what one screen costs.
 */
export class PagedAgents {
  private readonly pages: LoadedPage[] = [];
  private loading: Promise<void> | null = null;
  private readonly index = new Map<string, AgentRow>();
  /** Bumped whenever rows change, so the view knows to redraw. */
  version = 0;

  constructor(
    private readonly api: Api,
    readonly filter: ListFilter,
    readonly pageSize: number,
  ) {}

  /** Rows loaded so far. */
  get loaded(): number {
    return this.pages.reduce((n, p) => n + p.rows.length, 0);
  }

  /** Whether the last page has been loaded. */
  get complete(): boolean {
    const last = this.pages.at(-1);
    return last !== undefined && last.next === null;
  }

  /** The row at a list position, if loaded. */
  row(i: number): AgentRow | undefined {
    for (const page of this.pages) {
      if (i < page.rows.length) return page.rows[i];
      i -= page.rows.length;
    }
    return undefined;
  }

  /** A loaded row by agent id. */
  byId(agentId: string): AgentRow | undefined {
    return this.index.get(agentId);
  }

  /** Loads pages, one after the other, until `count` rows are loaded or the list ends. */
  async ensure(count: number): Promise<void> {
    while (this.loaded < count && !this.complete) {
      this.loading ??= this.loadNext().finally(() => (this.loading = null));
      await this.loading;
    }
  }

  /** Asks again the pages holding rows `from`..`to`, with their own cursors; later pages are dropped if the seam moved. */
  async refresh(from: number, to: number): Promise<void> {
    if (this.loading !== null) await this.loading;
    if (this.pages.length === 0) return this.ensure(to + 1);
    let start = 0;
    for (let k = 0; k < this.pages.length; k++) {
      const page = this.pages[k];
      if (page === undefined) break;
      const end = start + page.rows.length;
      // The last page is asked again whenever it is in reach: new agents land at its end (or in it, when empty).
      if (start <= to && (end > from || k === this.pages.length - 1)) {
        const fresh = await this.fetch(page.cursor);
        const seamMoved = fresh.next !== page.next;
        page.rows = fresh.rows;
        page.next = fresh.next;
        if (seamMoved) {
          this.pages.length = k + 1;
          break;
        }
      }
      start = end;
      if (start > to) break;
    }
    this.reindex();
  }

  /** Applies a transition to a loaded row at once, before the next refresh re-sorts it. */
  patch(agentId: string, change: Partial<AgentView>): boolean {
    const row = this.index.get(agentId);
    if (row === undefined) return false;
    Object.assign(row, change);
    this.version++;
    return true;
  }

  private async loadNext(): Promise<void> {
    const last = this.pages.at(-1);
    const cursor = last === undefined ? null : last.next;
    if (last !== undefined && cursor === null) return;
    const page = await this.fetch(cursor);
    this.pages.push({ cursor, rows: page.rows, next: page.next });
    this.reindex();
  }

  private async fetch(cursor: string | null): Promise<{ rows: AgentRow[]; next: string | null }> {
    const page = await this.api.agents(this.filter, this.pageSize, cursor);
    // One request for the whole page's metrics; a server without the route just shows no metrics.
    const recent =
      page.items.length === 0 ? new Map<string, RecentMetrics>() : await this.api.recentMetrics(page.items.map((a) => a.agentId)).then(
        (r) => new Map(r.items.map((m) => [m.agentId, m])),
        () => new Map<string, RecentMetrics>(),
      );
    return { rows: page.items.map((a) => ({ ...a, recent: recent.get(a.agentId) ?? null })), next: page.nextCursor };
  }

  private reindex(): void {
    this.index.clear();
    for (const page of this.pages) for (const row of page.rows) this.index.set(row.agentId, row);
    this.version++;
  }
}
