// <console-canned>: the canned library an agent uses with "/": their own replies, and the shared ones (texts, links
// and files, which admins keep), grouped and filtered by category.
import { LitElement, css, html, nothing } from 'lit';
import { ApiError, type Agent, type CannedReply, type ConsoleApi } from '../console-api.ts';
import { ACCEPT_ATTRIBUTE } from '../../shared/attachment-files.ts';
import '../../shared/attachment-card.ts';
import { consoleAttachmentLabels } from '../chat/console-files.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import { categoriesOf, groupByCategory } from '../canned-categories.ts';
import { renderText } from '../console-text.ts';

export class ConsoleCanned extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    me: { attribute: false },
    replies: { state: true },
    editing: { state: true },
    error: { state: true },
    filter: { state: true },
    newKind: { state: true },
    busy: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare me: Agent;
  declare replies: CannedReply[];
  declare editing: string;
  declare error: string;
  /** The category shown; '' every one. */
  declare filter: string;
  /** What the create form adds: a text (anyone), a link or a file (admins). */
  declare newKind: 'text' | 'link' | 'file';
  declare busy: boolean;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.replies = [];
    this.editing = '';
    this.error = '';
    this.filter = '';
    this.newKind = 'text';
    this.busy = false;
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: flex; flex-direction: column; gap: 16px; padding: 16px; height: 100%; overflow: auto; }
      form { display: flex; gap: 8px; flex-wrap: wrap; align-items: flex-end; }
      label { display: flex; flex-direction: column; font-size: 12px; gap: 2px; }
      label.text { flex: 1 1 100%; }
      textarea { min-height: 60px; }
      td.text { white-space: pre-wrap; overflow-wrap: anywhere; }
      tr.category th { text-align: start; background: var(--cs-bg, #f6f7f9); font-size: 13px; }
      label.filter { flex-direction: row; align-items: center; align-self: flex-start; gap: 8px; font-size: 13px; }
      label.url { flex: 1 1 280px; }
      label.url input { width: 100%; }
      td.text cw-attachment-card { max-width: 220px; }
      .kind { background: #e8f0fe; color: #174ea6; }
      td .tag { white-space: nowrap; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load() {
    try {
      this.replies = (await this.api.allCanned()).replies;
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
  }

  private mayEdit(r: CannedReply): boolean {
    return r.scope === 'personal' || this.me?.role === 'admin';
  }

  private async submit(e: SubmitEvent, reply?: CannedReply) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const d = new FormData(form);
    const lang = String(d.get('lang') ?? '');
    const kind = reply?.kind ?? this.newKind;
    const common = {
      shortcut: String(d.get('shortcut') ?? '').trim(),
      title: String(d.get('title') ?? '').trim(),
      lang: lang === 'zh' || lang === 'en' ? lang : null,
      category: String(d.get('category') ?? '').trim() || null,
    } as const;
    // Each kind sends its own content: a text its words, a link its address, a file nothing new once uploaded.
    const content = kind === 'text' ? { text: String(d.get('text') ?? '').trim() } : kind === 'link' ? { url: String(d.get('url') ?? '').trim() } : {};
    this.error = '';
    this.busy = true;
    try {
      if (reply) await this.api.updateCanned(reply.id, { ...common, ...content });
      else if (kind === 'file') {
        const file = (form.querySelector('input[name="file"]') as HTMLInputElement | null)?.files?.[0];
        if (!file) throw new Error(this.strings.library.needFile);
        await this.api.uploadCannedFile(file, { shortcut: common.shortcut, title: common.title, lang: common.lang ?? '', category: common.category ?? '' });
      } else if (kind === 'link') await this.api.createCanned({ ...common, kind: 'link', url: content.url ?? '' });
      else await this.api.createCanned({ ...common, text: content.text ?? '', shared: d.get('shared') === 'on' });
      form.reset();
      this.editing = '';
      await this.load();
    } catch (err) {
      this.error = err instanceof ApiError ? this.refusal(err) : err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }

  /** The server's refusal in the agent's words where the console has them (the file and address rules). */
  private refusal(err: ApiError): string {
    const s = this.strings;
    if (err.code === 'invalid_url') return s.library.badUrl;
    if (err.status === 415) return s.fileUnsupported;
    if (err.status === 413) return s.fileTooLarge;
    return err.message;
  }

  private async removeReply(r: CannedReply) {
    this.error = '';
    try {
      await this.api.deleteCanned(r.id);
      await this.load();
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
  }

  private fields(r?: CannedReply) {
    const s = this.strings;
    const kind = r?.kind ?? this.newKind;
    return html`
      <label>${s.shortcut}<input name="shortcut" required placeholder="/refund" maxlength="33" .value=${r?.shortcut ?? ''} /></label>
      <label>${s.titleField}<input name="title" ?required=${kind !== 'file'} maxlength="100" .value=${r?.title ?? ''} /></label>
      <label>${s.lang}<select name="lang">
        <option value="" ?selected=${!r?.lang}>${s.bothLangs}</option>
        <option value="zh" ?selected=${r?.lang === 'zh'}>中文</option>
        <option value="en" ?selected=${r?.lang === 'en'}>English</option>
      </select></label>
      <label>${s.category}<input name="category" maxlength="40" list="canned-categories" .value=${r?.category ?? ''} /></label>
      ${kind === 'text'
        ? html`<label class="text">${s.text}<textarea name="text" required maxlength="4000" .value=${r?.text ?? ''}></textarea></label>`
        : kind === 'link'
          ? html`<label class="url">${s.library.url}<input name="url" type="url" required maxlength="2048" pattern="[Hh][Tt][Tt][Pp][Ss]?://.+"
              placeholder=${s.library.urlHint} title=${s.library.badUrl} data-testid="canned-url" .value=${r?.url ?? ''} /></label>`
          : r
            ? nothing
            : html`<label class="url">${s.library.file}<input name="file" type="file" required accept=${ACCEPT_ATTRIBUTE} data-testid="canned-file" />
                <span class="muted">${s.library.fileHint}</span></label>`}
    `;
  }

  /** What a row shows of its entry: a text's words, a link (opens in a new tab), a file's card (picture or PDF). */
  private content(r: CannedReply) {
    if (r.kind === 'link' && r.url && /^https?:\/\//i.test(r.url)) {
      return html`<a href=${r.url} target="_blank" rel="noopener noreferrer" data-testid="canned-link">${r.url}</a>`;
    }
    if (r.kind === 'file' && r.file) {
      const attachment = { ...r.file, url: this.api.cannedFileUrl(r.id) };
      return html`<cw-attachment-card data-testid="canned-file-card" .attachment=${attachment} .labels=${consoleAttachmentLabels(this.strings)}></cw-attachment-card>`;
    }
    return renderText(r.text);
  }

  /** The shown replies by category, categories in the language's order (as the filter menu), the uncategorized last. */
  private groups() {
    const collator = new Intl.Collator(this.strings.locale);
    return groupByCategory(this.replies.filter((r) => this.filter === '' || r.category === this.filter)).sort(
      (a, b) => Number(a.category === '') - Number(b.category === '') || collator.compare(a.category, b.category),
    );
  }

  override render() {
    const s = this.strings;
    const admin = this.me?.role === 'admin';
    const categories = categoriesOf(this.replies, s.locale);
    return html`
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <section class="card" aria-labelledby="canned-h">
        <h2 id="canned-h">${s.canned}</h2>
        <datalist id="canned-categories">${categories.map((c) => html`<option value=${c}></option>`)}</datalist>
        <label class="filter">${s.category}
          <select data-testid="canned-filter" .value=${this.filter} @change=${(e: Event) => (this.filter = (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.filter === ''}>${s.allCategories}</option>
            ${categories.map((c) => html`<option value=${c} ?selected=${this.filter === c}>${c}</option>`)}
          </select>
        </label>
        <table>
          <thead><tr><th>${s.shortcut}</th><th>${s.titleField}</th><th>${s.text}</th><th></th></tr></thead>
          ${this.groups().map(
            (g) => html`<tbody>
            <tr class="category" data-testid="canned-category"><th colspan="4">${g.category || s.noCategory} (${g.replies.length})</th></tr>
            ${g.replies.map((r) =>
              this.editing === r.id
                ? html`<tr><td colspan="4"><form @submit=${(e: SubmitEvent) => void this.submit(e, r)}>
                    ${this.fields(r)}
                    <button class="primary" type="submit">${s.save}</button>
                    <button type="button" @click=${() => (this.editing = '')}>${s.cancel}</button>
                  </form></td></tr>`
                : html`<tr data-testid="canned-row">
                    <td><strong>${r.shortcut}</strong><br /><span class="tag">${r.scope === 'shared' ? s.shared : s.personal}</span>
                      ${r.kind !== 'text' ? html`<span class="tag kind" data-testid="canned-kind">${s.library.kinds[r.kind] ?? r.kind}</span>` : ''}
                      ${r.lang ? html`<span class="tag">${r.lang}</span>` : ''}</td>
                    <td>${r.title}</td>
                    <td class="text">${this.content(r)}</td>
                    <td class="row">${this.mayEdit(r)
                      ? html`<button @click=${() => (this.editing = r.id)}>${s.edit}</button><button @click=${() => void this.removeReply(r)}>${s.delete}</button>`
                      : ''}</td>
                  </tr>`,
            )}
          </tbody>`,
          )}
        </table>
        <h3>${s.create}</h3>
        ${admin ? html`<p class="muted">${s.library.adminNote}</p>` : ''}
        <form @submit=${(e: SubmitEvent) => void this.submit(e)} data-testid="canned-create">
          ${admin
            ? html`<label>${s.library.kind}<select name="kind" data-testid="canned-kind-select"
                @change=${(e: Event) => (this.newKind = (e.target as HTMLSelectElement).value as 'text' | 'link' | 'file')}>
                ${(['text', 'link', 'file'] as const).map((k) => html`<option value=${k} ?selected=${this.newKind === k}>${s.library.kinds[k]}</option>`)}
              </select></label>`
            : ''}
          ${this.fields()}
          ${admin && this.newKind === 'text' ? html`<label><span><input type="checkbox" name="shared" checked /> ${s.shared}</span></label>` : ''}
          <button class="primary" type="submit" ?disabled=${this.busy}>${s.create}</button>
        </form>
      </section>
    `;
  }
}

customElements.define('console-canned', ConsoleCanned);

declare global {
  interface HTMLElementTagNameMap {
    'console-canned': ConsoleCanned;
  }
}
