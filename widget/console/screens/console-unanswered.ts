// <console-unanswered>: the editors' inbox of questions the bot missed, grouped; each group becomes a KB change
// file to download (new question variants for an entry, or a new entry), never a write into the live KB.
import { LitElement, css, html } from 'lit';
import { ApiError, type ConsoleApi, type KbChange, type UnansweredGroupView } from '../console-api.ts';
import { addQuestionsChange, kbChangeButtons, kbChangeStyles, newEntryChange, newEntryFields, saveKbChangeFile, topicOf, type KbChangeMode } from './console-kb-change.ts';
import { formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import '../console-clipped-text.ts';

/** A missed question longer than this is cut in the inbox (spam runs to thousands of characters), the rest on demand. */
const QUESTION_CHARS = 200;

export type { UnansweredGroupView };

/** `entry`: the candidate the editor picked from the group's list (else the best one). */
type Draft = { groupKey: string; mode: KbChangeMode; entry?: string };

export class ConsoleUnanswered extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    groups: { state: true },
    error: { state: true },
    info: { state: true },
    draft: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare groups: UnansweredGroupView[];
  declare error: string;
  declare info: string;
  /** The group whose change form is open, and which form. */
  declare draft: Draft | undefined;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.groups = [];
    this.error = '';
    this.info = '';
    this.draft = undefined;
  }

  static override styles = [
    consoleBase,
    kbChangeStyles,
    css`
      :host { display: flex; flex-direction: column; gap: 12px; padding: 16px; height: 100%; overflow: auto; }
      .group { border: 1px solid var(--cs-border); border-radius: 6px; padding: 10px 12px; display: flex; flex-direction: column; gap: 6px; background: var(--cs-panel); }
      .head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
      .count { font-weight: 600; }
      .muted { color: var(--cs-muted); font-size: 12px; }
      ul { margin: 0; padding-left: 18px; }
      .actions button[aria-expanded='true'] { border-color: var(--cs-muted); background: var(--cs-bot); }
      .group form { border-top: 1px dashed var(--cs-border); padding-top: 8px; }
      fieldset { border: 1px solid var(--cs-border); border-radius: 6px; margin: 0; padding: 4px 10px 8px; display: flex; flex-direction: column; gap: 2px; }
      legend { font-size: 12px; color: var(--cs-muted); padding: 0 4px; }
      /* The visitor's words are the content here: body size, box beside the text. */
      label.check { flex-direction: row; align-items: center; gap: 6px; font-size: 14px; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load() {
    try {
      this.groups = (await this.api.unanswered(100)).questions;
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown) {
    this.info = '';
    this.error = err instanceof ApiError ? err.message : String(err);
  }

  private async dismiss(g: UnansweredGroupView) {
    this.error = '';
    try {
      await this.api.dismissUnanswered(g.groupKey);
      this.info = this.strings.unansweredDismissed;
      await this.load();
    } catch (err) {
      this.fail(err);
    }
  }

  /** Asks the server for the YAML (it checks the ids against the live KB) and saves it as a file. */
  private async download(change: KbChange) {
    this.error = '';
    this.info = '';
    try {
      const file = await this.api.unansweredChange(change);
      this.draft = undefined;
      this.info = saveKbChangeFile(this.strings, file);
    } catch (err) {
      this.fail(err);
    }
  }

  private submitAdd(e: SubmitEvent, g: UnansweredGroupView) {
    e.preventDefault();
    const d = new FormData(e.currentTarget as HTMLFormElement);
    void this.download(addQuestionsChange(String(d.get('entry') ?? ''), g.lang, d.getAll('question').map(String)));
  }

  private submitNew(e: SubmitEvent) {
    e.preventDefault();
    void this.download(newEntryChange(e.currentTarget as HTMLFormElement));
  }

  override render() {
    const s = this.strings;
    return html`
      <h2>${s.unanswered}</h2>
      ${this.error ? html`<p class="error" role="alert" data-testid="unanswered-error">${this.error}</p>` : ''}
      ${this.info ? html`<p role="status" data-testid="unanswered-info">${this.info}</p>` : ''}
      ${this.groups.length === 0 ? html`<p class="muted" data-testid="unanswered-empty">${s.unansweredEmpty}</p>` : ''}
      ${this.groups.map((g) => this.renderGroup(g))}
    `;
  }

  private renderGroup(g: UnansweredGroupView) {
    const s = this.strings;
    const open = this.draft?.groupKey === g.groupKey ? this.draft.mode : undefined;
    return html`<section class="group" data-testid="unanswered-group" data-group-key=${g.groupKey}>
      <div class="head">
        <span class="count" data-testid="unanswered-count">×${g.count}</span>
        <strong lang=${g.lang}><console-clipped-text .text=${g.text} .max=${QUESTION_CHARS} .strings=${s}></console-clipped-text></strong>
        <span class="muted">${s.unansweredLastAsked} ${formatTime(g.lastAskedAt)}</span>
      </div>
      ${g.variants.length > 1
        ? html`<div class="muted">${s.unansweredVariants}</div><ul>${g.variants.map(
            (v) => html`<li lang=${g.lang}><console-clipped-text .text=${v} .max=${QUESTION_CHARS} .strings=${s}></console-clipped-text></li>`,
          )}</ul>`
        : ''}
      <div class="muted">${s.unansweredCandidates}:
        ${g.candidates.length === 0
          ? '—'
          : g.candidates.map((c) => html`<button type="button" class="link" data-testid="unanswered-candidate" title=${s.unansweredAdd}
              @click=${() => (this.draft = { groupKey: g.groupKey, mode: 'add', entry: c.entryId })}><code>${c.entryId}</code></button> ${c.score.toFixed(2)} `)}
      </div>
      <div class="actions">
        <button data-testid="unanswered-add" aria-expanded=${open === 'add' ? 'true' : 'false'} @click=${() => this.toggle(g, 'add')}>${s.unansweredAdd}</button>
        <button data-testid="unanswered-new" aria-expanded=${open === 'new' ? 'true' : 'false'} @click=${() => this.toggle(g, 'new')}>${s.unansweredNew}</button>
        <button data-testid="unanswered-dismiss" @click=${() => void this.dismiss(g)}>${s.unansweredDismiss}</button>
      </div>
      ${open === 'add' ? this.renderAdd(g) : open === 'new' ? this.renderNew(g) : ''}
    </section>`;
  }

  /** Opens the form, or closes it when it is the one already open (as the drafts screen's button does). */
  private toggle(g: UnansweredGroupView, mode: KbChangeMode) {
    this.draft = this.draft?.groupKey === g.groupKey && this.draft.mode === mode ? undefined : { groupKey: g.groupKey, mode };
  }

  private renderAdd(g: UnansweredGroupView) {
    const s = this.strings;
    return html`<form data-testid="unanswered-add-form" @submit=${(e: SubmitEvent) => this.submitAdd(e, g)}>
      <label>${s.unansweredEntryId}
        <input name="entry" required list="unanswered-candidates-${g.groupKey}" .value=${this.draft?.entry ?? g.candidates[0]?.entryId ?? ''} data-testid="unanswered-entry" />
        <datalist id="unanswered-candidates-${g.groupKey}">${g.candidates.map((c) => html`<option value=${c.entryId}></option>`)}</datalist>
      </label>
      <fieldset>
        <legend>${s.unansweredQuestions} (${g.lang})</legend>
        ${g.variants.map((v) => html`<label class="check" lang=${g.lang}><input type="checkbox" name="question" .value=${v} checked />${v}</label>`)}
      </fieldset>
      ${kbChangeButtons(s, 'unanswered-download', true, () => (this.draft = undefined))}
    </form>`;
  }

  private renderNew(g: UnansweredGroupView) {
    const s = this.strings;
    return html`<form data-testid="unanswered-new-form" @submit=${(e: SubmitEvent) => this.submitNew(e)}>
      ${newEntryFields(s, { topic: topicOf(g.candidates[0]?.entryId), lang: g.lang, questions: g.variants.join('\n'), answer: '' })}
      ${kbChangeButtons(s, 'unanswered-download', true, () => (this.draft = undefined))}
    </form>`;
  }
}

customElements.define('console-unanswered', ConsoleUnanswered);

declare global {
  interface HTMLElementTagNameMap {
    'console-unanswered': ConsoleUnanswered;
  }
}
