import type { AgentView, TransitionView } from '@vigil/contracts';
import { ApiError, type Api, type HistoryItem } from './api.ts';
import { MetricCharts } from './charts.ts';
import type { ControlDialog } from './control-dialog.ts';
import { el, replaceChildren } from './dom.ts';
import { ago, millis, span, utc } from './format.ts';

/** Ranges of the charts: how far back, and at which resolution the API is asked. */
const RANGES = [
  { id: '1h', label: '1 hour', ms: 3_600_000, resolution: '1m' },
  { id: '6h', label: '6 hours', ms: 6 * 3_600_000, resolution: '1m' },
  { id: '24h', label: '24 hours', ms: 24 * 3_600_000, resolution: '1m' },
  { id: '7d', label: '7 days', ms: 7 * 86_400_000, resolution: '1h' },
  { id: '30d', label: '30 days', ms: 30 * 86_400_000, resolution: '1h' },
] as const;
const STEP_MS = { '1m': 60_000, '1h': 3_600_000 } as const;
const METRICS_REFRESH_MS = 15_000;

/** What the page needs from the app around it. */
export interface AgentPageDeps {
  readonly api: Api;
  readonly dialog: ControlDialog;
  readonly navigate: (path: string) => void;
  readonly onUnauthorized: () => void;
  readonly subscribe: (listener: (t: TransitionView) => void) => () => void;
  /** Whether the key may kill and resume (`mayControl` of its role): without it the page has no such buttons. */
  readonly canControl: boolean;
}

/**
 * One agent: status and since, deliverable, flapping, instance and restarts, event-loop delay (when its beats carry
 * it), the transition timeline with reasons, charts of success rate, latency p50/p95/p99 and cost over a chosen
 * range, and the history of its event-store stream. Live: a transition of this agent reloads what it changes.
 */
export class AgentPage {
  readonly root: HTMLElement;
  private agent: AgentView | null = null;
  private readonly heading = el('h2', { id: 'agent-title' });
  private readonly facts = el('dl', { class: 'facts' });
  private readonly actions = el('div', { class: 'actions' });
  private readonly range = el('select', { id: 'range' }, ...RANGES.map((r) => el('option', { value: r.id }, r.label)));
  private readonly charts = new MetricCharts();
  private readonly timeline = el('ol', { class: 'timeline', id: 'timeline' });
  private readonly history = el('ol', { class: 'history', id: 'history' });
  private readonly historyMore = el('button', { type: 'button', hidden: true }, 'Older events');
  private readonly message = el('p', { class: 'error', role: 'alert' });
  private historyCursor: string | null = null;
  private timers: number[] = [];
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: AgentPageDeps,
    private readonly agentId: string,
  ) {
    const back = el('a', { href: '/dashboard', class: 'back' }, '← Fleet');
    back.addEventListener('click', (event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      deps.navigate('/dashboard');
    });
    this.range.addEventListener('change', () => void this.loadMetrics());
    this.historyMore.addEventListener('click', () => void this.loadHistory(false));
    this.root = el(
      'section',
      { class: 'agent-page', 'aria-labelledby': 'agent-title' },
      el('div', { class: 'toolbar' }, back, this.heading, el('span', { class: 'spacer' }), this.actions),
      this.message,
      el('div', { class: 'panel' }, this.facts),
      el(
        'section',
        { class: 'panel', 'aria-labelledby': 'charts-title' },
        el('div', { class: 'toolbar' }, el('h3', { id: 'charts-title' }, 'Metrics'), el('span', { class: 'spacer' }), el('label', { for: 'range' }, 'Range', this.range)),
        this.charts.root,
      ),
      el(
        'div',
        { class: 'columns' },
        el('section', { class: 'panel', 'aria-labelledby': 'timeline-title' }, el('h3', { id: 'timeline-title' }, 'Transitions'), this.timeline),
        el('section', { class: 'panel', 'aria-labelledby': 'history-title' }, el('h3', { id: 'history-title' }, 'History'), this.history, this.historyMore),
      ),
    );
  }

  start(): void {
    this.heading.textContent = this.agentId;
    document.title = `${this.agentId} · Vigil`;
    void this.loadAll();
    this.timers.push(window.setInterval(() => this.renderFacts(), 1000));
    // A minute window closes every minute, and last seen moves with every beat: ask again while the page is open.
    this.timers.push(
      window.setInterval(() => {
        if (document.visibilityState !== 'visible') return;
        void this.loadMetrics();
        void this.deps.api.agent(this.agentId).then((agent) => {
          this.agent = agent;
          this.renderFacts();
        }, (err: unknown) => this.fail(err));
      }, METRICS_REFRESH_MS),
    );
    this.unsubscribe = this.deps.subscribe((t) => {
      if (t.agentId === this.agentId) void this.loadAll();
    });
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.unsubscribe?.();
    this.charts.destroy();
  }

  /** Reloads after the operator killed or resumed this agent. */
  changed(): void {
    void this.loadAll();
  }

  private async loadAll(): Promise<void> {
    try {
      const [agent, transitions] = await Promise.all([this.deps.api.agent(this.agentId), this.deps.api.transitions(this.agentId)]);
      this.agent = agent;
      this.renderFacts();
      this.renderTimeline(transitions.items);
      this.message.textContent = '';
    } catch (err) {
      this.fail(err);
      return;
    }
    await Promise.all([this.loadMetrics(), this.loadHistory(true)]);
  }

  private async loadMetrics(): Promise<void> {
    const range = RANGES.find((r) => r.id === this.range.value) ?? RANGES[0];
    const step = STEP_MS[range.resolution];
    const from = Math.floor((Date.now() - range.ms) / step) * step;
    try {
      const { items } = await this.deps.api.metrics(this.agentId, range.resolution, from, 1440);
      this.charts.draw(items, step, from, Date.now() + step);
      document.body.dataset['charts'] = String(items.length);
    } catch (err) {
      this.fail(err);
    }
  }

  private async loadHistory(first: boolean): Promise<void> {
    if (first) this.historyCursor = null;
    try {
      const page = await this.deps.api.history(this.agentId, this.historyCursor);
      if (first) this.history.replaceChildren();
      for (const item of page.items) this.history.appendChild(historyItem(item));
      if (page.items.length === 0 && first) this.history.appendChild(el('li', { class: 'hint' }, 'No events in the store for this agent.'));
      this.historyCursor = page.nextCursor;
      this.historyMore.hidden = page.nextCursor === null;
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'VIGIL_ERR_ROUTE_NOT_FOUND' || err.code === 'VIGIL_ERR_HISTORY_UNAVAILABLE')) {
        replaceChildren(this.history, el('li', { class: 'hint' }, `This server serves no agent history: ${err.message}`));
        return;
      }
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (err instanceof ApiError && err.status === 401) return this.deps.onUnauthorized();
    this.message.textContent =
      err instanceof ApiError && err.code === 'VIGIL_ERR_AGENT_NOT_FOUND'
        ? `No agent ${this.agentId} in this tenant: it appears after its first heartbeat.`
        : err instanceof Error
          ? err.message
          : String(err);
  }

  private renderFacts(): void {
    const a = this.agent;
    if (a === null) return;
    const now = Date.now();
    const fact = (term: string, ...value: (Node | string)[]) => [el('dt', {}, term), el('dd', { 'data-fact': term }, ...value)];
    const loop = a.eventLoopDelayMs;
    replaceChildren(
      this.facts,
      ...fact('status', el('span', { class: `badge s-${a.status}` }, a.status), ` since ${ago(a.statusSince, now)} (${utc(a.statusSince)})`),
      ...fact('reason', a.status === 'killed' && a.killed !== null ? `killed by ${a.killed.by}: ${a.killed.reason}` : a.lastReason),
      ...fact('deliverable', a.deliverable ? 'yes' : 'no — a dispatcher sends it no work'),
      ...fact('flapping', a.flapping ? 'yes — restarting often' : 'no'),
      ...fact('last seen', a.lastHeartbeatAt === null ? 'never' : `${ago(a.lastHeartbeatAt, now)} (${utc(a.lastHeartbeatAt)})`),
      ...fact('interval', span(a.intervalSeconds * 1000)),
      ...fact('instance', a.instanceId ?? '–'),
      ...fact('restarts', String(a.restarts)),
      ...(loop === undefined || loop === null ? [] : fact('event-loop delay', `p50 ${millis(loop.p50)}, p99 ${millis(loop.p99)}, max ${millis(loop.max)}`)),
      ...fact('host', a.host ?? '–'),
      ...fact('version', a.version ?? '–'),
      ...fact('progress', a.progress === null ? '–' : `${a.progress.completed} completed, ${a.progress.inFlight} in flight`),
      ...fact('labels', ...(Object.entries(a.labels).length === 0 ? ['–'] : Object.entries(a.labels).map(([k, v]) => el('span', { class: 'chip' }, `${k}:${v}`)))),
      ...fact('registered', `${ago(a.registeredAt, now)} (${utc(a.registeredAt)})`),
    );
    const killed = a.status === 'killed';
    replaceChildren(
      this.actions,
      this.deps.canControl &&
        el(
          'button',
          { type: 'button', class: killed ? 'primary' : 'danger', 'aria-label': `${killed ? 'Resume' : 'Kill'} ${a.agentId}`, onclick: () => this.deps.dialog.open(killed ? 'resume' : 'kill', a.agentId) },
          killed ? 'Resume' : 'Kill',
        ),
    );
  }

  private renderTimeline(items: readonly TransitionView[]): void {
    if (items.length === 0) {
      replaceChildren(this.timeline, el('li', { class: 'hint' }, 'No transitions yet.'));
      return;
    }
    replaceChildren(
      this.timeline,
      ...items.map((t) =>
        el(
          'li',
          { 'data-to': t.to },
          el('time', { datetime: t.at }, utc(t.at)),
          el('span', { class: `badge s-${t.from}` }, t.from),
          ' → ',
          el('span', { class: `badge s-${t.to}` }, t.to),
          el('span', { class: 'reason' }, t.reason),
        ),
      ),
    );
  }
}

function historyItem(item: HistoryItem): HTMLElement {
  const data = JSON.stringify(item.data);
  return el(
    'li',
    {},
    el('span', { class: 'rev' }, `#${item.revision}`),
    el('time', { datetime: item.at }, utc(item.at)),
    el('code', { class: 'type' }, item.type),
    el('span', { class: 'data', title: data }, data.length > 160 ? `${data.slice(0, 160)}…` : data),
  );
}
