// <console-close-dialog>: "The visitor is waiting for your reply. Close anyway?" before such a chat is closed.
// Only then (console-attention.ts visitorAwaitsReply; other chats close at one click): a close is final for the
// visitor. A modal <dialog>: focus starts on "keep chatting", Esc and that button cancel, the confirm button closes.
import { css, html } from 'lit';
import { ConsoleDialog } from '../console-dialog.ts';
import { consoleBase } from '../console-styles.ts';
import { ConsoleEvent } from '../../shared/events.ts';

export class ConsoleCloseDialog extends ConsoleDialog {
  static override properties = {
    conversationId: { type: String },
  };
  declare conversationId: string;

  constructor() {
    super();
    this.conversationId = '';
  }

  static override styles = [
    consoleBase,
    ConsoleDialog.dialogStyles,
    css`
      dialog { width: min(400px, 92vw); }
      form { display: flex; flex-direction: column; gap: 10px; }
      p { margin: 0; }
      button.danger { background: #b3261e; border-color: #b3261e; color: #fff; }
      button.danger:hover:not(:disabled) { background: #8c1d18; }
    `,
  ];

  async open(): Promise<void> {
    await this.showModal(false);
    // The harmless choice has the focus: Enter or Space right after the click does not end the chat.
    this.renderRoot.querySelector<HTMLElement>('[data-testid="close-cancel"]')?.focus();
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const conversationId = this.conversationId;
    await this.submitWith(
      () => this.api.close(conversationId),
      () => this.emit(ConsoleEvent.chatClosed, { conversationId }),
    );
  }

  override render() {
    const s = this.strings.closeConfirm;
    return html`<dialog aria-labelledby="close-title" aria-describedby="close-text" data-testid="close-dialog">
      <form @submit=${this.submit}>
        <h2 id="close-title">${s.title}</h2>
        <p id="close-text">${s.text}</p>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
        <div class="actions">
          <button type="button" data-testid="close-cancel" @click=${() => this.close()}>${s.keep}</button>
          <button class="danger" type="submit" ?disabled=${this.busy} data-testid="close-confirm">${s.confirm}</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define('console-close-dialog', ConsoleCloseDialog);

declare global {
  interface HTMLElementTagNameMap {
    'console-close-dialog': ConsoleCloseDialog;
  }
}
