import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { AgentPage } from './agent-page.ts';
import { Api, ApiError } from './api.ts';
import { ControlDialog } from './control-dialog.ts';
import { el, replaceChildren } from './dom.ts';
import { FleetPage } from './fleet-page.ts';
import { KeyStore } from './key-store.ts';
import { LiveStream, type StreamState } from './live-stream.ts';
import { mayControl, mayWatch } from './roles.ts';

/** A page of the app: started when shown, stopped when left. */
interface View {
  readonly root: HTMLElement;
  start(): void;
  stop(): void;
  changed?(): void;
}

const keys = new KeyStore();
const api = new Api(() => keys.get());

const conn = el('span', { id: 'conn', class: 'conn', role: 'status', 'data-state': 'offline' }, 'Not connected');
const changeKey = el('button', { type: 'button', id: 'change-key', hidden: true }, 'Change key');
// Who the key is (GET /v1/whoami), shown beside "Change key" so an operator sees which key and tenant they act as.
const identity = el('span', { id: 'identity', class: 'identity', hidden: true });
let canControl = false;
const home = el('a', { href: '/dashboard', class: 'brand' }, 'Vigil ', el('span', {}, 'dashboard'));
const keyInput = el('input', { id: 'key-input', name: 'key', type: 'password', spellcheck: 'false', autocomplete: 'off', required: true });
const keyError = el('p', { id: 'key-error', class: 'error', role: 'alert' });
const keyForm = el(
  'form',
  { id: 'key-form', autocomplete: 'off', novalidate: true },
  el('label', { for: 'key-input' }, 'API key', keyInput),
  el('button', { type: 'submit', class: 'primary' }, 'Connect'),
);
const keyPanel = el(
  'section',
  { id: 'key-panel', class: 'panel narrow', 'aria-labelledby': 'key-title', hidden: true },
  el('h2', { id: 'key-title' }, 'Connect to Vigil'),
  keyForm,
  keyError,
  el(
    'p',
    { class: 'hint' },
    'Run ',
    el('code', {}, 'vigil dashboard'),
    ' for a link that signs this browser in, or paste a key: ',
    el('code', {}, 'vigil up'),
    ' prints one and keeps it in ',
    el('code', {}, '<data>/api-key'),
    '. The key stays in this browser (local storage) until you change it.',
  ),
);
const outlet = el('main', { id: 'outlet' });

let view: View | null = null;
const stream = new LiveStream(api, showState);
const dialog = new ControlDialog(api, () => view?.changed?.());

function showState(state: StreamState): void {
  conn.dataset['state'] = state.kind;
  conn.textContent =
    state.kind === 'live'
      ? 'Live'
      : state.kind === 'connecting'
        ? 'Connecting…'
        : state.kind === 'reconnecting'
          ? `Reconnecting in ${Math.ceil(state.inMs / 1000)} s`
          : 'Key refused';
  if (state.kind === 'unauthorized') askForKey('The server refused this API key (wrong API key?). Paste another.');
}

function askForKey(message: string): void {
  stream.stop();
  view?.stop();
  view = null;
  outlet.replaceChildren();
  changeKey.hidden = true;
  identity.hidden = true;
  keyPanel.hidden = false;
  keyError.textContent = message;
  keyInput.value = '';
  keyInput.focus();
}

/** Routes under /dashboard: the fleet, or `/dashboard/agents/<id>`. */
function route(): void {
  view?.stop();
  const match = /^\/dashboard\/agents\/([^/]+)\/?$/.exec(location.pathname);
  const deps = { api, dialog, canControl, navigate, onUnauthorized: () => askForKey('The server refused this API key (wrong API key?). Paste another.'), subscribe: (l: Parameters<LiveStream['subscribe']>[0]) => stream.subscribe(l) };
  const id = match?.[1] === undefined ? null : decodeURIComponent(match[1]);
  view = id === null ? new FleetPage(deps) : new AgentPage(deps, id);
  if (id === null) document.title = 'Vigil dashboard';
  replaceChildren(outlet, view.root);
  view.start();
}

function navigate(path: string): void {
  history.pushState(null, '', path);
  route();
}

async function connect(): Promise<void> {
  try {
    // Who the key is decides what the page offers: an agent key may watch nothing, only operators kill and resume.
    const me = await api.whoami();
    identity.textContent = `${me.tenant} · ${me.role} · ${me.name}`;
    identity.title = `API key ${me.keyId}`;
    if (!mayWatch(me.role)) {
      askForKey(`This is an agent key ("${me.name}", tenant ${me.tenant}): it may only send heartbeats. The dashboard needs an operator or admin key.`);
      return;
    }
    canControl = mayControl(me.role);
    await api.summary();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) askForKey('Wrong API key: the server does not know it.');
    else if (err instanceof ApiError && err.status === 403) askForKey(`This key may not watch the fleet (${err.message}): the dashboard needs an operator key.`);
    else askForKey(`Cannot reach Vigil: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  keyPanel.hidden = true;
  keyError.textContent = '';
  changeKey.hidden = false;
  identity.hidden = false;
  stream.start();
  route();
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (key === '') {
    keyError.textContent = 'Paste the API key first.';
    return;
  }
  keys.set(key);
  void connect();
});
changeKey.addEventListener('click', () => {
  keys.clear();
  askForKey('');
});
home.addEventListener('click', (event) => {
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  if (keys.get() !== null) navigate('/dashboard');
});
window.addEventListener('popstate', () => {
  if (keys.get() !== null && keyPanel.hidden) route();
});

document.body.replaceChildren(
  el('header', { class: 'top' }, el('h1', {}, home), conn, el('span', { class: 'spacer' }), identity, changeKey),
  keyPanel,
  outlet,
  dialog.dialog,
);
document.body.dataset['app'] = 'ready';
if (keys.get() === null) askForKey('');
else void connect();
