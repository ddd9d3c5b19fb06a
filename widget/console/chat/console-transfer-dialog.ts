// <console-transfer-dialog>: hands the open chat to another agent or to a group, with a note for them.
import { css, html } from 'lit';
import type { AgentGroup } from '../console-api.ts';
import { ConsoleDialog } from '../console-dialog.ts';
import { consoleBase } from '../console-styles.ts';
import { ConsoleEvent } from '../../shared/events.ts';

export interface TransferAgentOption {
  id: string;
  name: string;
  /** Presence as last seen; only online agents accept transfers. */
  status: string;
}

export class ConsoleTransferDialog extends ConsoleDialog {
  static override properties = {
    conversationId: { type: String },
    groups: { attribute: false },
    agents: { attribute: false },
    target: { state: true },
  };
  declare conversationId: string;
  declare groups: AgentGroup[];
  declare agents: TransferAgentOption[];
  declare target: 'agent' | 'group';

  constructor() {
    super();
    this.conversationId = '';
    this.groups = [];
    this.agents = [];
    this.target = 'group';
  }

  static override styles = [
    consoleBase,
    ConsoleDialog.dialogStyles,
    css`
      dialog { width: min(420px, 92vw); }
      form { display: flex; flex-direction: column; gap: 10px; }
      fieldset { border: none; padding: 0; margin: 0; display: flex; gap: 16px; }
      fieldset label { flex-direction: row; align-items: center; }
    `,
  ];

  async open(): Promise<void> {
    this.target = this.agents.some((a) => a.status === 'online') ? 'agent' : 'group';
    await this.showModal(true);
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const note = String(data.get('note') ?? '').trim();
    const value = String(data.get(this.target) ?? '');
    if (!value) return;
    const conversationId = this.conversationId;
    await this.submitWith(
      () => this.api.transfer(conversationId, this.target === 'agent' ? { agent: value } : { group: value }, note || undefined),
      () => this.emit(ConsoleEvent.transferred, { conversationId }),
    );
  }

  override render() {
    const s = this.strings;
    const online = this.agents.filter((a) => a.status === 'online');
    return html`<dialog aria-labelledby="transfer-title" data-testid="transfer-dialog">
      <form @submit=${this.submit}>
        <h2 id="transfer-title">${s.transfer}</h2>
        <fieldset>
          <label><input type="radio" name="target" value="agent" .checked=${this.target === 'agent'} @change=${() => (this.target = 'agent')} data-testid="transfer-to-agent" />${s.toAgent}</label>
          <label><input type="radio" name="target" value="group" .checked=${this.target === 'group'} @change=${() => (this.target = 'group')} data-testid="transfer-to-group" />${s.toGroup}</label>
        </fieldset>
        ${this.target === 'agent'
          ? online.length === 0
            ? html`<p class="muted">${s.noOnlineAgents}</p>`
            : html`<label>${s.toAgent}
                <select name="agent" data-testid="transfer-agent">
                  ${online.map((a) => html`<option value=${a.id}>${a.name}</option>`)}
                </select></label>`
          : html`<label>${s.toGroup}
              <select name="group" data-testid="transfer-group">
                ${this.groups.map((g) => html`<option value=${g.id}>${g.name}${g.open ? '' : ` (${s.isClosed})`}</option>`)}
              </select></label>`}
        <label>${s.noteLabel}<textarea name="note" rows="3" maxlength="500" data-testid="transfer-note"></textarea></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
        <div class="actions">
          <button type="button" @click=${() => this.close()}>${s.cancel}</button>
          <button class="primary" type="submit" ?disabled=${this.busy || (this.target === 'agent' && online.length === 0)} data-testid="transfer-submit">${s.transfer}</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define('console-transfer-dialog', ConsoleTransferDialog);

declare global {
  interface HTMLElementTagNameMap {
    'console-transfer-dialog': ConsoleTransferDialog;
  }
}
