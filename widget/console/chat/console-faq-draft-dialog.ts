// <console-faq-draft-dialog>: shows the visitor's question and the agent's answer, both editable, and saves them as an FAQ draft.
import { css, html } from 'lit';
import type { ViewMessage } from '../console-api.ts';
import { ConsoleDialog } from '../console-dialog.ts';
import { consoleBase } from '../console-styles.ts';
import { ConsoleEvent } from '../../shared/events.ts';
export type { FaqDraftSavedDetail } from '../../shared/events.ts';

/** Handoff reasons whose last visitor message asked for a person, not the question (as handoff/content/faq-draft-source.ts). */
const REQUEST_REASONS = new Set(['requested', 'by_choice']);

/**
 * The question to show first for an agent's answer: the visitor's latest message before it, skipping a bare
 * request for a person that fired the handoff. The server picks the same way when no question is sent
 * (draftQuestion in handoff/content/faq-draft-source.ts), but only while saving: the agent sees and edits the question
 * before that, there is no route that answers it ahead of the save, and the widget imports types only, so this
 * is the one client copy. Change both together.
 */
export function defaultDraftQuestion(messages: readonly ViewMessage[], answerId: number, handoffReason: string | undefined): string {
  const before = messages.filter((m) => m.id < answerId).reverse();
  let skipRequest = false;
  for (const [i, m] of before.entries()) {
    if (m.author === 'bot' && m.kind === 'handoff') {
      skipRequest = REQUEST_REASONS.has(handoffReason ?? '') && before[i + 1]?.author === 'visitor';
      continue;
    }
    if (m.author !== 'visitor') continue;
    if (skipRequest) {
      skipRequest = false;
      if (before.slice(i + 1).some((x) => x.author === 'visitor')) continue;
    }
    return m.text;
  }
  return '';
}

export class ConsoleFaqDraftDialog extends ConsoleDialog {
  static override properties = {
    conversationId: { state: true },
    messageId: { state: true },
    question: { state: true },
    answer: { state: true },
  };
  declare conversationId: string;
  declare messageId: number;
  declare question: string;
  declare answer: string;

  constructor() {
    super();
    this.conversationId = '';
    this.messageId = 0;
    this.question = '';
    this.answer = '';
  }

  static override styles = [
    consoleBase,
    ConsoleDialog.dialogStyles,
    css`
      dialog { width: min(520px, 94vw); }
      form { display: flex; flex-direction: column; gap: 10px; }
      textarea { resize: vertical; }
    `,
  ];

  /** Opens on one agent message of a handed-off chat, with the question the visitor most likely asked. */
  async open(input: { conversationId: string; message: ViewMessage; question: string }): Promise<void> {
    this.conversationId = input.conversationId;
    this.messageId = input.message.id;
    this.question = input.question;
    this.answer = input.message.text;
    // The fields are bound to state, so there is nothing typed to reset.
    await this.showModal(false);
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const question = this.question.trim();
    const answer = this.answer.trim();
    if (!question || !answer) return;
    const conversationId = this.conversationId;
    await this.submitWith(
      () => this.api.saveFaqDraft(conversationId, { messageId: this.messageId, question, answer }),
      ({ draft }) => this.emit(ConsoleEvent.faqDraftSaved, { conversationId, draft }),
    );
  }

  override render() {
    const s = this.strings.faqDraft;
    return html`<dialog aria-labelledby="faq-draft-title" data-testid="faq-draft-dialog">
      <form @submit=${this.submit}>
        <h2 id="faq-draft-title">${s.title}</h2>
        <label>${s.question}
          <textarea rows="2" maxlength="120" required .value=${this.question}
            @input=${(e: InputEvent) => (this.question = (e.target as HTMLTextAreaElement).value)} data-testid="faq-draft-question"></textarea>
        </label>
        <label>${s.answer}
          <textarea rows="5" maxlength="1500" required .value=${this.answer}
            @input=${(e: InputEvent) => (this.answer = (e.target as HTMLTextAreaElement).value)} data-testid="faq-draft-answer"></textarea>
        </label>
        <p class="muted">${s.maskNote}</p>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
        <div class="actions">
          <button type="button" @click=${() => this.close()}>${this.strings.cancel}</button>
          <button class="primary" type="submit" ?disabled=${this.busy || !this.question.trim() || !this.answer.trim()} data-testid="faq-draft-save">${s.submit}</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define('console-faq-draft-dialog', ConsoleFaqDraftDialog);

declare global {
  interface HTMLElementTagNameMap {
    'console-faq-draft-dialog': ConsoleFaqDraftDialog;
  }
}
