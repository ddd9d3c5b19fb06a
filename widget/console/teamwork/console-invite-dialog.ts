// <console-invite-dialog>: the holder (or an admin) picks an online colleague to ask into the open chat, with a
// note saying what for; the colleague accepts or declines in their console.
import { css, html } from 'lit';
import { ConsoleDialog } from '../console-dialog.ts';
import { consoleBase } from '../console-styles.ts';
import { ConsoleEvent } from '../../shared/events.ts';
import type { TransferAgentOption } from '../chat/console-transfer-dialog.ts';

/** Statuses a colleague may be asked in: at work (busy: not taking new chats from the queue, but may help). */
const INVITABLE = new Set(['online', 'busy']);

export class ConsoleInviteDialog extends ConsoleDialog {
  static override properties = {
    conversationId: { type: String },
    agents: { attribute: false },
    /** Agents in the chat already (owner, joined, invited): not offered. */
    present: { attribute: false },
  };
  declare conversationId: string;
  declare agents: TransferAgentOption[];
  declare present: readonly string[];

  constructor() {
    super();
    this.conversationId = '';
    this.agents = [];
    this.present = [];
  }

  static override styles = [
    consoleBase,
    ConsoleDialog.dialogStyles,
    css`
      dialog { width: min(440px, 92vw); }
      form { display: flex; flex-direction: column; gap: 10px; }
      fieldset { border: 1px solid var(--cs-border); border-radius: 8px; padding: 4px; margin: 0; max-height: 40vh; overflow-y: auto; }
      fieldset label { flex-direction: row; align-items: center; gap: 8px; padding: 6px 8px; border-radius: 6px; cursor: pointer; }
      fieldset label:hover { background: var(--cs-bg); }
      .status { margin-left: auto; font-size: 12px; color: var(--cs-muted); }
      .dot { width: 8px; height: 8px; border-radius: 50%; background: #1e7e34; display: inline-block; }
      .dot.busy { background: #c77700; }
      p { margin: 0; }
    `,
  ];

  private options(): TransferAgentOption[] {
    return this.agents.filter((a) => INVITABLE.has(a.status) && !this.present.includes(a.id));
  }

  async open(): Promise<void> {
    await this.showModal(true);
    this.renderRoot.querySelector<HTMLInputElement>('input[name="agent"]')?.focus();
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const agent = String(data.get('agent') ?? '');
    const note = String(data.get('note') ?? '').trim();
    if (!agent) return;
    const conversationId = this.conversationId;
    await this.submitWith(
      () => this.api.inviteColleague(conversationId, agent, note || undefined),
      () => this.emit(ConsoleEvent.colleagueInvited, { conversationId }),
    );
  }

  override render() {
    const s = this.strings;
    const t = s.teamwork;
    const options = this.options();
    return html`<dialog aria-labelledby="invite-title" data-testid="invite-dialog">
      <form @submit=${this.submit}>
        <h2 id="invite-title">${t.inviteTitle}</h2>
        <p class="muted">${t.inviteIntro}</p>
        ${options.length === 0
          ? html`<p class="muted" data-testid="invite-none">${t.noOnline}</p>`
          : html`<fieldset aria-label=${t.colleague}>
              ${options.map(
                (a, i) => html`<label data-testid="invite-option" data-agent-id=${a.id}>
                  <input type="radio" name="agent" value=${a.id} ?checked=${i === 0} />
                  <span>${a.name}</span>
                  <span class="status"><span class=${`dot ${a.status}`}></span> ${s[a.status as 'online' | 'busy'] ?? a.status}</span>
                </label>`,
              )}
            </fieldset>`}
        <label>${t.note}<textarea name="note" rows="2" maxlength="500" data-testid="invite-note"></textarea></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
        <div class="actions">
          <button type="button" @click=${() => this.close()}>${s.cancel}</button>
          <button class="primary" type="submit" ?disabled=${this.busy || options.length === 0} data-testid="invite-submit">${t.send}</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define('console-invite-dialog', ConsoleInviteDialog);

declare global {
  interface HTMLElementTagNameMap {
    'console-invite-dialog': ConsoleInviteDialog;
  }
}
