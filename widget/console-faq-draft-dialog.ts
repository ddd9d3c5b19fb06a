// <console-faq-draft-dialog>: shows the visitor's question and the agent's answer, both editable, and saves them as an FAQ draft.
import { LitElement, css, html } from 'lit';
import { ApiError, type ConsoleApi, type FaqDraftJson, type ViewMessage } from './console-api.ts';
import { consoleBase } from './console-styles.ts';
import { STRINGS, type Strings } from './console-strings.ts';

/** Handoff reasons whose last visitor message asked for a person, not the question (as handoff/faq-draft-source.ts). */
const REQUEST_REASONS = new Set(['requested', 'by_choice']);

/**
 * The question to show first for an agent's answer: the visitor's latest message before it, skipping a bare
 * request for a person that fired the handoff. The server picks the same way when no question is sent.
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

export interface FaqDraftSavedDetail {
  conversationId: string;
  draft: FaqDraftJson;
}

export class ConsoleFaqDraftDialog extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    conversationId: { state: true },
    messageId: { state: true },
    question: { state: true },
    answer: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare conversationId: string;
  declare messageId: number;
  declare question: string;
  declare answer: string;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.conversationId = '';
    this.messageId = 0;
    this.question = '';
    this.answer = '';
    this.error = '';
    this.busy = false;
  }

  static override styles = [
    consoleBase,
    css`
      dialog { border: 1px solid var(--cs-border); border-radius: 10px; padding: 16px; width: min(520px, 94vw); }
      dialog::backdrop { background: rgb(0 0 0 / 30%); }
      form { display: flex; flex-direction: column; gap: 10px; }
      label { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
      textarea { resize: vertical; }
      .actions { display: flex; justify-content: flex-end; gap: 8px; }
    `,
  ];

  private get dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  /** Opens on one agent message of a handed-off chat, with the question the visitor most likely asked. */
  async open(input: { conversationId: string; message: ViewMessage; question: string }): Promise<void> {
    this.conversationId = input.conversationId;
    this.messageId = input.message.id;
    this.question = input.question;
    this.answer = input.message.text;
    this.error = '';
    await this.updateComplete;
    this.dialog?.showModal();
  }

  close(): void {
    this.dialog?.close();
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const question = this.question.trim();
    const answer = this.answer.trim();
    if (!question || !answer) return;
    this.busy = true;
    this.error = '';
    try {
      const { draft } = await this.api.saveFaqDraft(this.conversationId, { messageId: this.messageId, question, answer });
      this.close();
      this.dispatchEvent(new CustomEvent<FaqDraftSavedDetail>('faq-draft-saved', {
        detail: { conversationId: this.conversationId, draft },
        bubbles: true,
        composed: true,
      }));
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.busy = false;
    }
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
