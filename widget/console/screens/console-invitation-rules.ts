// <console-invitation-rules>: the admin's automatic invitation rules (page pattern, dwell time, texts), shown
// under the visitors list and saved as a whole list.
import { LitElement, css, html, nothing } from 'lit';
import { ApiError, type ConsoleApi, type InvitationRule } from '../console-api.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';

type DraftRule = Omit<InvitationRule, 'id'> & { id?: string };

export class ConsoleInvitationRules extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    rules: { state: true },
    error: { state: true },
    notice: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare rules: DraftRule[];
  declare error: string;
  declare notice: string;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.rules = [];
    this.error = '';
    this.notice = '';
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; }
      fieldset { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; border: 1px solid var(--cs-border); border-radius: 8px; margin: 0 0 8px; }
      label { display: flex; flex-direction: column; font-size: 12px; gap: 2px; }
      label.check { flex-direction: row; align-items: center; gap: 4px; }
      input[type='number'] { width: 90px; }
      .hint { color: var(--cs-muted); font-size: 12px; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.api
      .invitationRules()
      .then((r) => (this.rules = r.rules))
      .catch((err: unknown) => (this.error = err instanceof ApiError ? err.message : String(err)));
  }

  private edit(i: number, patch: Partial<DraftRule>): void {
    this.rules = this.rules.map((r, j) => (j === i ? { ...r, ...patch } : r));
  }

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    try {
      this.rules = (await this.api.saveInvitationRules(this.rules)).rules;
      this.error = '';
      this.notice = this.strings.visitors.saved;
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
      this.notice = '';
    }
  }

  override render() {
    const s = this.strings.visitors;
    return html`<h2>${s.rules}</h2>
      <p class="hint">${s.rulesIntro}</p>
      <form @submit=${this.save}>
        ${this.rules.map(
          (r, i) => html`<fieldset data-testid="invitation-rule">
            <label>${s.pattern}<input data-testid="rule-pattern" required .value=${r.urlPattern} @input=${(e: Event) => this.edit(i, { urlPattern: (e.target as HTMLInputElement).value })} /></label>
            <label>${s.dwell}<input data-testid="rule-dwell" type="number" min="5" max="3600" required .value=${String(r.dwellSeconds)} @input=${(e: Event) => this.edit(i, { dwellSeconds: Number((e.target as HTMLInputElement).value) })} /></label>
            <label>${s.textZh}<input data-testid="rule-text-zh" required maxlength="200" .value=${r.text.zh} @input=${(e: Event) => this.edit(i, { text: { ...r.text, zh: (e.target as HTMLInputElement).value } })} /></label>
            <label>${s.textEn}<input data-testid="rule-text-en" required maxlength="200" .value=${r.text.en} @input=${(e: Event) => this.edit(i, { text: { ...r.text, en: (e.target as HTMLInputElement).value } })} /></label>
            <label class="check"><input type="checkbox" .checked=${r.enabled} @change=${(e: Event) => this.edit(i, { enabled: (e.target as HTMLInputElement).checked })} />${s.enabled}</label>
            <button type="button" @click=${() => (this.rules = this.rules.filter((_, j) => j !== i))}>${s.remove}</button>
          </fieldset>`,
        )}
        <button type="button" data-testid="rule-add" @click=${() => (this.rules = [...this.rules, { urlPattern: '/', dwellSeconds: 30, text: { zh: '', en: '' }, enabled: true }])}>${s.addRule}</button>
        <button type="submit" class="primary" data-testid="rules-save">${s.save}</button>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        <p role="status" class="hint">${this.notice}</p>
      </form>`;
  }
}

customElements.define('console-invitation-rules', ConsoleInvitationRules);

declare global {
  interface HTMLElementTagNameMap {
    'console-invitation-rules': ConsoleInvitationRules;
  }
}
