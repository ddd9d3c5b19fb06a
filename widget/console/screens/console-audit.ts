// <console-audit>: the admins' audit log (who changed what) in words, newest first, filtered by action or actor, paged by id.
import { LitElement, css, html } from 'lit';
import type { AuditEntry } from '../../../handoff/http/wire.ts';
import type { ConsoleApi } from '../console-api.ts';
import { formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { auditSentence, type AuditNames } from './audit-sentence.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import '../console-clipped-text.ts';

/** The details of a row longer than this are cut (a block's reason, a list of erased chats), the rest on demand. */
const DETAILS_CHARS = 160;

/** Rows fetched per page. Range 1-500; default 50. */
const PAGE = 50;

interface AuditPage {
  entries: AuditEntry[];
  nextBefore?: number;
}

export class ConsoleAudit extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    names: { attribute: false },
    entries: { state: true },
    nextBefore: { state: true },
    loading: { state: true },
    error: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  /** Display names of the accounts and groups the admin screen loaded: rows name them, not their ids. */
  declare names: AuditNames;
  declare entries: AuditEntry[];
  declare nextBefore: number | undefined;
  declare loading: boolean;
  declare error: string;
  private filters: { action?: string; actor?: string } = {};

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.names = { agents: new Map(), groups: new Map() };
    this.entries = [];
    this.nextBefore = undefined;
    this.loading = false;
    this.error = '';
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; }
      form { display: flex; gap: 8px; flex-wrap: wrap; align-items: flex-end; margin-bottom: 8px; }
      td.details { font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; max-width: 420px; }
      td.at { white-space: nowrap; }
      .code { font-size: 11px; }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(false);
  }

  /** `more`: the next older page after the rows shown; otherwise the newest page again. */
  async load(more: boolean) {
    this.loading = true;
    this.error = '';
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (this.filters.action) q.set('action', this.filters.action);
    if (this.filters.actor) q.set('actor', this.filters.actor);
    if (more && this.nextBefore !== undefined) q.set('before', String(this.nextBefore));
    try {
      const page = await this.api.request<AuditPage>('GET', `/api/admin/audit?${q}`);
      this.entries = more ? [...this.entries, ...page.entries] : page.entries;
      this.nextBefore = page.nextBefore;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.loading = false;
    }
  }

  private onFilter(e: SubmitEvent) {
    e.preventDefault();
    const d = new FormData(e.target as HTMLFormElement);
    const action = String(d.get('action') ?? '').trim();
    const actor = String(d.get('actor') ?? '').trim();
    this.filters = { ...(action ? { action } : {}), ...(actor ? { actor } : {}) };
    void this.load(false);
  }

  override render() {
    const s = this.strings.audit;
    return html`<section class="card" aria-labelledby="audit-h">
      <h2 id="audit-h">${s.title}</h2>
      <form @submit=${this.onFilter}>
        <label>${s.filterAction}<input name="action" placeholder="agent.role_changed" data-testid="audit-filter-action" /></label>
        <label>${s.filterActor}<input name="actor" /></label>
        <button type="submit">${s.apply}</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${this.entries.length === 0 && !this.loading
        ? html`<p class="empty">${s.none}</p>`
        : html`<table>
            <thead><tr><th>${s.at}</th><th>${s.what}</th><th>${s.details}</th></tr></thead>
            <tbody>
              ${this.entries.map(
                (e) => html`<tr data-testid="audit-row" data-action=${e.action}>
                  <td class="at"><time datetime=${e.at}>${formatTime(e.at)}</time></td>
                  <td data-testid="audit-sentence"><console-clipped-text .text=${auditSentence(e, this.names, s.says)} .max=${DETAILS_CHARS} .strings=${this.strings}></console-clipped-text> <span class="muted code">${e.action}</span></td>
                  <td class="details">${Object.keys(e.details).length > 0
                    ? html`<console-clipped-text .text=${JSON.stringify(e.details)} .max=${DETAILS_CHARS} .strings=${this.strings}></console-clipped-text>`
                    : ''}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      ${this.loading ? html`<p role="status">${s.loading}</p>` : ''}
      ${this.nextBefore !== undefined && !this.loading ? html`<button @click=${() => void this.load(true)}>${s.more}</button>` : ''}
    </section>`;
  }
}

customElements.define('console-audit', ConsoleAudit);

declare global {
  interface HTMLElementTagNameMap {
    'console-audit': ConsoleAudit;
  }
}
