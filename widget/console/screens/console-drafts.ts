// <console-drafts>: the editors' FAQ drafts (agents' answers to handed-off questions); each becomes a KB change file
// to download (a new question for the suggested entry, or a new entry) or is dismissed; the live KB is never written.
import { LitElement, css, html } from 'lit';
import { ApiError, type ConsoleApi, type FaqDraftJson, type KbChange } from '../console-api.ts';
import { addQuestionsChange, kbChangeButtons, kbChangeStyles, newEntryChange, newEntryFields, saveKbChangeFile, topicOf, type KbChangeMode } from './console-kb-change.ts';
import { formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';

type Form = { id: number; mode: KbChangeMode };

export class ConsoleDrafts extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    drafts: { state: true },
    error: { state: true },
    info: { state: true },
    form: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare drafts: FaqDraftJson[];
  declare error: string;
  declare info: string;
  /** The draft whose change form is open, and which form. */
  declare form: Form | undefined;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.drafts = [];
    this.error = '';
    this.info = '';
    this.form = undefined;
  }

  static override styles = [
    consoleBase,
    kbChangeStyles,
    css`
      :host { display: flex; flex-direction: column; gap: 12px; padding: 16px; height: 100%; overflow: auto; }
      .draft { border: 1px solid var(--cs-border); border-radius: 6px; padding: 10px 12px; display: flex; flex-direction: column; gap: 6px; background: var(--cs-panel); }
      .q { font-weight: 600; }
      .a { white-space: pre-wrap; background: var(--cs-agent); border-radius: 8px; padding: 6px 10px; }
      form { border-top: 1px dashed var(--cs-border); padding-top: 8px; }
      fieldset { border: none; padding: 0; margin: 0; display: flex; gap: 16px; }
      fieldset label { flex-direction: row; align-items: center; gap: 4px; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load() {
    try {
      this.drafts = (await this.api.faqDrafts('open')).drafts;
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown) {
    this.info = '';
    this.error = err instanceof ApiError ? err.message : String(err);
  }

  private async dismiss(d: FaqDraftJson) {
    this.error = '';
    try {
      await this.api.dismissFaqDraft(d.id);
      this.info = this.strings.faqDraft.dismissed;
      this.form = undefined;
      await this.load();
    } catch (err) {
      this.fail(err);
    }
  }

  /** The server checks the change against the live KB, marks the draft used and answers with the YAML: saved as a file. */
  private async download(d: FaqDraftJson, change: KbChange) {
    this.error = '';
    this.info = '';
    try {
      const file = await this.api.faqDraftChange(d.id, change);
      this.form = undefined;
      this.info = saveKbChangeFile(this.strings, file);
    } catch (err) {
      return this.fail(err);
    }
    await this.load();
  }

  private submitAdd(e: SubmitEvent, d: FaqDraftJson) {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    void this.download(d, addQuestionsChange(String(data.get('entry') ?? ''), d.lang, [String(data.get('question') ?? '').trim()]));
  }

  private submitNew(e: SubmitEvent, d: FaqDraftJson) {
    e.preventDefault();
    void this.download(d, newEntryChange(e.currentTarget as HTMLFormElement));
  }

  override render() {
    const s = this.strings.faqDraft;
    return html`
      <h2>${s.nav}</h2>
      ${this.error ? html`<p class="error" role="alert" data-testid="faq-drafts-error">${this.error}</p>` : ''}
      ${this.info ? html`<p role="status" class="ok" data-testid="faq-drafts-info">${this.info}</p>` : ''}
      ${this.drafts.length === 0 ? html`<p class="muted" data-testid="faq-drafts-empty">${s.empty}</p>` : ''}
      ${this.drafts.map((d) => this.renderDraft(d))}
    `;
  }

  private renderDraft(d: FaqDraftJson) {
    const s = this.strings.faqDraft;
    const open = this.form?.id === d.id ? this.form.mode : undefined;
    return html`<section class="draft" data-testid="faq-draft-row" data-draft-id=${d.id}>
      <div class="q" lang=${d.lang}>${d.question}</div>
      <div class="a" lang=${d.lang}>${d.answer}</div>
      <div class="muted">
        ${s.suggested}: ${d.suggestedEntry ? html`<code>${d.suggestedEntry}</code>` : s.noSuggestion}
        · ${s.by} ${d.createdByName ?? d.createdBy} · ${formatTime(d.createdAt)}
      </div>
      <div class="actions">
        <button class="primary" data-testid="faq-draft-make-change" aria-expanded=${open ? 'true' : 'false'}
          @click=${() => (this.form = open ? undefined : { id: d.id, mode: d.suggestedEntry ? 'add' : 'new' })}>${s.makeChange}</button>
        <button data-testid="faq-draft-dismiss" @click=${() => void this.dismiss(d)}>${s.dismiss}</button>
      </div>
      ${open ? this.renderForm(d, open) : ''}
    </section>`;
  }

  private renderForm(d: FaqDraftJson, mode: Form['mode']) {
    const s = this.strings;
    const pick = html`<fieldset>
      <label><input type="radio" name="mode" .checked=${mode === 'add'} @change=${() => (this.form = { id: d.id, mode: 'add' })} />${s.faqDraft.addTo}</label>
      <label><input type="radio" name="mode" .checked=${mode === 'new'} @change=${() => (this.form = { id: d.id, mode: 'new' })} />${s.faqDraft.newEntry}</label>
    </fieldset>`;
    const buttons = kbChangeButtons(s, 'faq-draft-download', true, () => (this.form = undefined));
    if (mode === 'add') {
      return html`<form data-testid="faq-draft-add-form" @submit=${(e: SubmitEvent) => this.submitAdd(e, d)}>
        ${pick}
        <label>${s.unansweredEntryId}<input name="entry" required .value=${d.suggestedEntry ?? ''} data-testid="faq-draft-entry" /></label>
        <label>${s.unansweredQuestions} (${d.lang})<input name="question" required maxlength="120" .value=${d.question} /></label>
        ${buttons}
      </form>`;
    }
    return html`<form data-testid="faq-draft-new-form" @submit=${(e: SubmitEvent) => this.submitNew(e, d)}>
      ${pick}
      ${newEntryFields(s, { topic: topicOf(d.suggestedEntry), lang: d.lang, questions: d.question, answer: d.answer })}
      ${buttons}
    </form>`;
  }
}

customElements.define('console-drafts', ConsoleDrafts);

declare global {
  interface HTMLElementTagNameMap {
    'console-drafts': ConsoleDrafts;
  }
}
