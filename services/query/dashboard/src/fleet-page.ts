import type { FleetSummary, TransitionView } from '@vigil/contracts';
import { isDeliverableStatus } from './deliverable.ts';
import { ApiError, type Api, type AgentSort, type ListFilter } from './api.ts';
import type { ControlDialog } from './control-dialog.ts';
import { el, replaceChildren } from './dom.ts';
import { ago, millis, percent, usd, utc } from './format.ts';
import { PagedAgents, type AgentRow } from './paged-agents.ts';
import { STATUSES } from './statuses.ts';
import { VirtualList } from './virtual-list.ts';

const ROW_HEIGHT = 44;
const PAGE_SIZE = 250;
/** Rows fetched beyond the last one in view, so scrolling rarely waits. */
const PREFETCH = 60;
const REFRESH_MS = 5000;
const LIVE_DEBOUNCE_MS = 250;
const SEARCH_DEBOUNCE_MS = 120;
const SORTS: readonly { value: AgentSort; label: string }[] = [
  { value: 'severity', label: 'severity (worst first)' },
  { value: 'id', label: 'agent id' },
  { value: 'lastSeen', label: 'last seen' },
];

/** What the page needs from the app around it. */
export interface FleetPageDeps {
  readonly api: Api;
  readonly dialog: ControlDialog;
  readonly navigate: (path: string) => void;
  readonly onUnauthorized: () => void;
  readonly subscribe: (listener: (t: TransitionView) => void) => () => void;
  /** Whether the key may kill and resume (`mayControl` of its role): without it the page has no such buttons. */
  readonly canControl: boolean;
}

function filterFromUrl(): ListFilter {
  const q = new URLSearchParams(location.search);
  const status = q.get('status');
  const sort = q.get('sort');
  return {
    ...(status !== null && (STATUSES as readonly string[]).includes(status) ? { status } : {}),
    labels: q.getAll('label').filter((l) => l.includes(':')),
    ...(q.get('q') ? { q: q.get('q') ?? '' } : {}),
    sort: SORTS.some((s) => s.value === sort) ? (sort as AgentSort) : 'severity',
  };
}

function filterToUrl(filter: ListFilter): void {
  const q = new URLSearchParams();
  if (filter.status !== undefined) q.set('status', filter.status);
  for (const label of filter.labels) q.append('label', label);
  if (filter.q) q.set('q', filter.q);
  if (filter.sort !== 'severity') q.set('sort', filter.sort);
  const search = q.toString();
  history.replaceState(history.state, '', `${location.pathname}${search === '' ? '' : `?${search}`}`);
}

/**
 * The fleet: counts per status (each a filter), search, labels as chips and filters, and every agent in one
 * virtualised list sorted by the server (worst first by default), live over the transition stream, with kill and
 * resume behind a confirmation.
 */
export class FleetPage {
  readonly root: HTMLElement;
  private filter = filterFromUrl();
  private store: PagedAgents;
  private summary: FleetSummary | null = null;
  private readonly summaryList = el('ul', { class: 'summary', 'aria-label': 'Agents per status' });
  private readonly search = el('input', { id: 'search', type: 'search', placeholder: 'agent id or label value…', autocomplete: 'off', spellcheck: 'false' });
  private readonly sort = el('select', { id: 'sort' }, ...SORTS.map((s) => el('option', { value: s.value }, s.label)));
  private readonly chips = el('div', { class: 'chips', 'aria-label': 'Active filters' });
  private readonly countText = el('span', { class: 'hint', id: 'list-count', 'aria-live': 'polite' });
  private readonly viewport = el('div', { class: 'vlist', id: 'agent-list', role: 'rowgroup' });
  private readonly empty = el('p', { class: 'empty', hidden: true }, 'No agent matches these filters.');
  private readonly list: VirtualList;
  private timers: number[] = [];
  private liveTimer: number | null = null;
  private unsubscribe: (() => void) | null = null;
  private searchTimer: number | null = null;

  constructor(private readonly deps: FleetPageDeps) {
    this.store = new PagedAgents(deps.api, this.filter, PAGE_SIZE);
    this.search.value = this.filter.q ?? '';
    this.sort.value = this.filter.sort;
    this.search.addEventListener('input', () => {
      if (this.searchTimer !== null) clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => this.setFilter({ ...this.filter, q: this.search.value.trim() || undefined }), SEARCH_DEBOUNCE_MS);
    });
    this.sort.addEventListener('change', () => this.setFilter({ ...this.filter, sort: this.sort.value as AgentSort }));
    const header = el(
      'div',
      { class: 'vrow vhead', role: 'row' },
      ...['Status', 'Agent', 'Last seen', 'Since', 'Success 1h', 'p95 1h', 'Cost 1h', 'Labels', 'Flags', ''].map((h, i) =>
        el('div', { role: 'columnheader', class: `c${i}` }, h === '' ? el('span', { class: 'visually-hidden' }, 'Actions') : h),
      ),
    );
    this.root = el(
      'section',
      { class: 'fleet', 'aria-labelledby': 'fleet-title' },
      el('h2', { id: 'fleet-title', class: 'visually-hidden' }, 'Fleet'),
      this.summaryList,
      el(
        'div',
        { class: 'toolbar' },
        el('label', { for: 'search' }, 'Search', this.search),
        el('label', { for: 'sort' }, 'Sort', this.sort),
        this.chips,
        el('span', { class: 'spacer' }),
        this.countText,
      ),
      el('div', { class: 'table', role: 'table', 'aria-label': 'Agents', 'aria-describedby': 'list-count' }, header, this.viewport),
      this.empty,
    );
    this.list = new VirtualList(this.viewport, ROW_HEIGHT, (i, row) => this.renderRow(i, row), (first, last) => void this.onRange(first, last));
  }

  /** Starts loading, ticking and listening; `stop` undoes it when the page is left. */
  start(): void {
    this.renderChips();
    void this.reload();
    this.timers.push(window.setInterval(() => this.list.redraw(), 1000));
    this.timers.push(
      window.setInterval(() => {
        if (document.visibilityState === 'visible') void this.refresh();
      }, REFRESH_MS),
    );
    this.unsubscribe = this.deps.subscribe((t) => this.onTransition(t));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private setFilter(filter: ListFilter): void {
    this.filter = filter;
    filterToUrl(filter);
    this.store = new PagedAgents(this.deps.api, filter, PAGE_SIZE);
    this.renderChips();
    this.renderSummary();
    this.list.toTop();
    void this.reload();
  }

  private async reload(): Promise<void> {
    const store = this.store;
    document.body.dataset['list'] = 'loading';
    try {
      const [summary] = await Promise.all([this.deps.api.summary(), store.ensure(PREFETCH)]);
      this.summary = summary;
    } catch (err) {
      this.fail(err);
      return;
    }
    if (store !== this.store) return;
    this.renderSummary();
    this.sync();
    document.body.dataset['list'] = 'ready';
  }

  /** Asks again what is on screen, and the counts. */
  private async refresh(): Promise<void> {
    const store = this.store;
    const [first, last] = this.list.visibleRange();
    try {
      const [summary] = await Promise.all([this.deps.api.summary(), store.refresh(first, last + PREFETCH)]);
      this.summary = summary;
    } catch (err) {
      this.fail(err);
      return;
    }
    if (store !== this.store) return;
    this.renderSummary();
    this.sync();
  }

  private async onRange(_first: number, last: number): Promise<void> {
    const store = this.store;
    if (last + PREFETCH <= store.loaded || store.complete) return;
    try {
      await store.ensure(last + PREFETCH);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (store === this.store) this.sync();
  }

  private onTransition(t: TransitionView): void {
    // The row changes at once; the debounced refresh then re-sorts what is on screen and brings new agents in.
    this.store.patch(t.agentId, {
      status: t.to,
      statusSince: t.at,
      lastReason: t.reason,
      deliverable: isDeliverableStatus(t.to),
      ...(t.to === 'killed' ? {} : { killed: null }),
    });
    this.list.redraw();
    if (this.liveTimer !== null) return;
    this.liveTimer = window.setTimeout(() => {
      this.liveTimer = null;
      void this.refresh();
    }, LIVE_DEBOUNCE_MS);
  }

  private fail(err: unknown): void {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) this.deps.onUnauthorized();
    else this.countText.textContent = `Could not load agents: ${err instanceof Error ? err.message : String(err)}`;
  }

  /** The scrollbar's length: the exact count when the server's counts say it, else what is loaded plus a page. */
  private sync(): void {
    const store = this.store;
    let count: number;
    const known =
      this.summary !== null && this.filter.q === undefined && this.filter.labels.length === 0
        ? this.filter.status === undefined
          ? this.summary.total
          : this.summary[this.filter.status as keyof FleetSummary]
        : undefined;
    if (store.complete) count = store.loaded;
    else if (typeof known === 'number') count = Math.max(known, store.loaded);
    else count = store.loaded + PAGE_SIZE;
    this.list.setCount(count);
    this.list.redraw();
    this.empty.hidden = !(store.complete && store.loaded === 0);
    const n = store.complete ? store.loaded : typeof known === 'number' ? known : null;
    this.countText.textContent = n === null ? `${store.loaded.toLocaleString('en')}+ agents` : `${n.toLocaleString('en')} agent${n === 1 ? '' : 's'}`;
  }

  private renderSummary(): void {
    const s = this.summary;
    const button = (status: string | undefined, label: string, count: number | undefined) =>
      el(
        'li',
        { 'data-status': status ?? 'all' },
        el(
          'button',
          {
            type: 'button',
            'aria-pressed': String(this.filter.status === status),
            onclick: () => this.setFilter({ ...this.filter, status: this.filter.status === status ? undefined : status }),
          },
          el('span', { class: 'count' }, count === undefined ? '–' : count.toLocaleString('en')),
          el('span', { class: 'label' }, label),
        ),
      );
    replaceChildren(
      this.summaryList,
      button(undefined, 'all', s?.total),
      ...STATUSES.map((status) => button(status, status, s === null ? undefined : s[status])),
      s !== null && s.flapping > 0 ? el('li', { class: 'note' }, `${s.flapping} flapping`) : null,
    );
  }

  private renderChips(): void {
    const chip = (text: string, remove: () => void) =>
      el('button', { type: 'button', class: 'chip active', 'aria-label': `Remove filter ${text}`, onclick: remove }, text, el('span', { 'aria-hidden': 'true' }, ' ×'));
    replaceChildren(
      this.chips,
      ...this.filter.labels.map((label) => chip(label, () => this.setFilter({ ...this.filter, labels: this.filter.labels.filter((l) => l !== label) }))),
    );
  }

  private addLabel(label: string): void {
    if (this.filter.labels.includes(label)) return;
    this.setFilter({ ...this.filter, labels: [...this.filter.labels, label] });
  }

  private renderRow(i: number, row: HTMLElement): void {
    const a = this.store.row(i);
    if (a === undefined) {
      delete row.dataset['agent'];
      replaceChildren(row, el('div', { role: 'cell', class: 'loading' }, 'loading…'));
      return;
    }
    row.dataset['agent'] = a.agentId;
    row.dataset['status'] = a.status;
    replaceChildren(row, ...this.cells(a));
  }

  private cells(a: AgentRow): HTMLElement[] {
    const now = Date.now();
    const href = `/dashboard/agents/${encodeURIComponent(a.agentId)}`;
    const link = el('a', { href, class: 'agent-id', title: a.agentId }, a.agentId);
    link.addEventListener('click', (event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      this.deps.navigate(href);
    });
    const flags = [!a.deliverable ? 'undeliverable' : null, a.flapping ? 'flapping' : null, a.restarts > 0 ? `restarts ${a.restarts}` : null].filter(
      (f): f is string => f !== null,
    );
    const killed = a.status === 'killed';
    const reason = a.status === 'killed' && a.killed !== null ? `killed by ${a.killed.by}: ${a.killed.reason}` : a.lastReason;
    return [
      el('div', { role: 'cell', class: 'c0', 'data-col': 'status' }, el('span', { class: `badge s-${a.status}` }, a.status)),
      el('div', { role: 'cell', class: 'c1', 'data-col': 'agent' }, link, el('span', { class: 'reason', title: reason }, reason)),
      el('div', { role: 'cell', class: 'c2', 'data-col': 'lastSeen', title: a.lastHeartbeatAt === null ? '' : utc(a.lastHeartbeatAt) }, ago(a.lastHeartbeatAt, now)),
      el('div', { role: 'cell', class: 'c3', 'data-col': 'since', title: utc(a.statusSince) }, ago(a.statusSince, now)),
      el('div', { role: 'cell', class: 'c4 num' }, percent(a.recent?.successRate)),
      el('div', { role: 'cell', class: 'c5 num' }, millis(a.recent?.latencyP95Ms)),
      el('div', { role: 'cell', class: 'c6 num' }, usd(a.recent?.costUsd)),
      el(
        'div',
        { role: 'cell', class: 'c7 labels' },
        ...Object.entries(a.labels).map(([k, v]) =>
          el('button', { type: 'button', class: 'chip', title: `Filter by ${k}:${v}`, onclick: () => this.addLabel(`${k}:${v}`) }, `${k}:${v}`),
        ),
      ),
      el('div', { role: 'cell', class: 'c8 flags' }, flags.join(' · ')),
      el(
        'div',
        { role: 'cell', class: 'c9' },
        this.deps.canControl &&
          el(
            'button',
            {
              type: 'button',
              class: killed ? 'small' : 'small danger',
              'aria-label': `${killed ? 'Resume' : 'Kill'} ${a.agentId}`,
              onclick: () => this.deps.dialog.open(killed ? 'resume' : 'kill', a.agentId),
            },
            killed ? 'Resume' : 'Kill',
          ),
      ),
    ];
  }
}
