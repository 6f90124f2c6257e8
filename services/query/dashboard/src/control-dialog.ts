import { ApiError, type Api } from './api.ts';
import { el } from './dom.ts';

/** What the operator confirms: killing (a reason is required) or resuming (a reason is optional). */
export type ControlAction = 'kill' | 'resume';

/**
 * The confirmation dialog of kill and resume: names the agent, takes the reason (required for a kill, shown in the
 * transition and audit trail), and sends the request; a refusal (a key without the operator role, a resume of an
 * agent no longer killed) is shown in the dialog.
 */
export class ControlDialog {
  private readonly title = el('h2', { id: 'control-title' });
  private readonly hint = el('p', { class: 'hint' });
  private readonly reason = el('input', { id: 'control-reason', type: 'text', maxlength: 1024, autocomplete: 'off' });
  private readonly error = el('p', { class: 'error', role: 'alert' });
  private readonly submit = el('button', { type: 'submit' });
  private readonly form = el(
    'form',
    { novalidate: true },
    this.title,
    this.hint,
    el('label', { for: 'control-reason' }, 'Reason', this.reason),
    this.error,
    el('div', { class: 'buttons' }, el('button', { type: 'button', onclick: () => this.dialog.close() }, 'Cancel'), this.submit),
  );
  /** The `<dialog>`; the page appends it once. */
  readonly dialog = el('dialog', { 'aria-labelledby': 'control-title' }, this.form);
  private pending: { action: ControlAction; agentId: string } | null = null;

  constructor(
    private readonly api: Api,
    private readonly onDone: (action: ControlAction, agentId: string) => void,
  ) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.confirm();
    });
  }

  open(action: ControlAction, agentId: string): void {
    this.pending = { action, agentId };
    this.title.textContent = `${action === 'kill' ? 'Kill' : 'Resume'} ${agentId}`;
    this.hint.textContent =
      action === 'kill'
        ? 'It stays killed, whatever its heartbeats say, until resumed; its next heartbeat is told to stop.'
        : 'It takes the status its heartbeats justify.';
    this.reason.value = '';
    this.reason.required = action === 'kill';
    this.reason.placeholder = action === 'kill' ? 'why (required)' : 'why (optional)';
    this.error.textContent = '';
    this.submit.textContent = action === 'kill' ? 'Kill agent' : 'Resume agent';
    this.submit.className = action === 'kill' ? 'danger solid' : 'primary';
    this.submit.disabled = false;
    this.dialog.showModal();
    this.reason.focus();
  }

  private async confirm(): Promise<void> {
    if (this.pending === null) return;
    const { action, agentId } = this.pending;
    const reason = this.reason.value.trim();
    if (action === 'kill' && reason === '') {
      this.error.textContent = 'Say why: the reason is shown in the transition and the audit trail.';
      return;
    }
    this.submit.disabled = true;
    try {
      if (action === 'kill') await this.api.kill(agentId, reason);
      else await this.api.resume(agentId, reason);
      this.dialog.close();
      this.onDone(action, agentId);
    } catch (err) {
      this.error.textContent =
        err instanceof ApiError && err.status === 403
          ? 'This API key may not do that: kill and resume need an operator key.'
          : err instanceof Error
            ? err.message
            : String(err);
      this.submit.disabled = false;
    }
  }
}
