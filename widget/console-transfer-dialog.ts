// <console-transfer-dialog>: hands the open chat to another agent or to a group, with a note for them.
import { LitElement, css, html } from 'lit';
import { ApiError, type AgentGroup, type ConsoleApi } from './console-api.ts';
import { consoleBase } from './console-styles.ts';
import { STRINGS, type Strings } from './console-strings.ts';

export interface TransferAgentOption {
  id: string;
  name: string;
  /** Presence as last seen; only online agents accept transfers. */
  status: string;
}

export class ConsoleTransferDialog extends LitElement {
  static override properties = {
    api: { attribute: false },
    conversationId: { type: String },
    strings: { attribute: false },
    groups: { attribute: false },
    agents: { attribute: false },
    target: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare api: ConsoleApi;
  declare conversationId: string;
  declare strings: Strings;
  declare groups: AgentGroup[];
  declare agents: TransferAgentOption[];
  declare target: 'agent' | 'group';
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.conversationId = '';
    this.strings = STRINGS.zh;
    this.groups = [];
    this.agents = [];
    this.target = 'group';
    this.error = '';
    this.busy = false;
  }

  static override styles = [
    consoleBase,
    css`
      dialog { border: 1px solid var(--cs-border); border-radius: 10px; padding: 16px; width: min(420px, 92vw); }
      dialog::backdrop { background: rgb(0 0 0 / 30%); }
      form { display: flex; flex-direction: column; gap: 10px; }
      label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
      fieldset { border: none; padding: 0; margin: 0; display: flex; gap: 16px; }
      fieldset label { flex-direction: row; align-items: center; }
      .actions { display: flex; justify-content: flex-end; gap: 8px; }
    `,
  ];

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  async open(): Promise<void> {
    this.error = '';
    this.target = this.agents.some((a) => a.status === 'online') ? 'agent' : 'group';
    await this.updateComplete;
    const form = this.renderRoot.querySelector('form');
    form?.reset();
    this.dialog?.showModal();
  }

  close(): void {
    this.dialog?.close();
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const note = String(data.get('note') ?? '').trim();
    const value = String(data.get(this.target) ?? '');
    if (!value) return;
    this.busy = true;
    this.error = '';
    try {
      await this.api.transfer(this.conversationId, this.target === 'agent' ? { agent: value } : { group: value }, note || undefined);
      this.close();
      this.dispatchEvent(new CustomEvent('transferred', { detail: { conversationId: this.conversationId }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.busy = false;
    }
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
