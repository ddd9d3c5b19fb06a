// <console-history>: full-text search over past chats (GET /api/agent/search) and a read-only transcript.
import { LitElement, css, html } from 'lit';
import { ApiError, type ConsoleApi, type ConversationView, type SearchResult } from '../console-api.ts';
import { formatTime, highlightParts } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import '../chat/console-transcript.ts';

export class ConsoleHistory extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    names: { attribute: false },
    results: { state: true },
    more: { state: true },
    error: { state: true },
    busy: { state: true },
    opened: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare names: ReadonlyMap<string, string>;
  declare results: SearchResult[] | undefined;
  declare more: boolean;
  declare error: string;
  declare busy: boolean;
  declare opened: ConversationView | undefined;
  private query = { q: '', from: '', to: '', status: 'closed' };

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.names = new Map();
    this.results = undefined;
    this.more = false;
    this.error = '';
    this.busy = false;
    this.opened = undefined;
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: flex; flex-direction: column; gap: 12px; padding: 16px; height: 100%; overflow: auto; }
      form { display: flex; gap: 8px; flex-wrap: wrap; align-items: flex-end; }
      form input[type='search'] { flex: 1; min-width: 220px; }
      label { display: flex; flex-direction: column; font-size: 12px; gap: 2px; }
      ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
      li button { width: 100%; text-align: left; padding: 8px 10px; display: flex; flex-direction: column; gap: 2px; }
      li button .open { align-self: flex-end; color: var(--cs-focus); font-size: 12px; }
      .snippet { overflow-wrap: anywhere; }
      mark { background: #ffe58f; color: inherit; }
      console-transcript { border: 1px solid var(--cs-border); border-radius: 8px; max-height: 65vh; }
    `,
  ];

  private async search(e?: SubmitEvent) {
    e?.preventDefault();
    if (e) {
      const data = new FormData(e.currentTarget as HTMLFormElement);
      this.query = {
        q: String(data.get('q') ?? '').trim(),
        from: String(data.get('from') ?? ''),
        to: String(data.get('to') ?? ''),
        status: String(data.get('status') ?? ''),
      };
      this.results = undefined;
    }
    if ([...this.query.q].length < 2) return;
    const before = e ? undefined : this.results?.at(-1)?.messageId;
    this.busy = true;
    this.error = '';
    try {
      const page = await this.api.search({ ...this.query, ...(before !== undefined ? { before } : {}) });
      this.results = [...(before !== undefined ? (this.results ?? []) : []), ...page.results];
      this.more = page.more;
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }

  /** The result the open chat came from: it names the agent of a closed chat (a view names only a current holder). */
  private openedFrom: SearchResult | undefined;

  private async open(r: SearchResult) {
    this.error = '';
    try {
      this.openedFrom = r;
      this.opened = await this.api.view(r.conversationId);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[data-testid="history-back"]')?.focus();
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
  }

  /** The agent who held the chat by name: the server's, else the console's own list; never a bare id. */
  private agentText(r: SearchResult): string {
    const name = r.agent?.displayName ?? (r.agentId ? this.names.get(r.agentId) : undefined);
    return name ? this.strings.searchResult.agent(name) : this.strings.searchResult.noAgent;
  }

  /** The console's names and the result's agent (one no longer a colleague, e.g. disabled), for the transcript's lines. */
  private namesWith(agent: SearchResult['agent']): ReadonlyMap<string, string> {
    return agent && !this.names.has(agent.id) ? new Map(this.names).set(agent.id, agent.displayName) : this.names;
  }

  private statusText(status: string): string {
    const s = this.strings as unknown as Record<string, string>;
    return s[status === 'queued' ? 'waiting' : status] ?? status;
  }

  override render() {
    const s = this.strings;
    if (this.opened) {
      const v = this.opened;
      const started = v.messages[0]?.createdAt ?? v.visitor.firstSeen;
      return html`<div class="row" data-testid="history-opened" data-conversation-id=${v.id}>
          <button @click=${() => (this.opened = undefined)} data-testid="history-back">← ${s.back}</button>
          <span class="tag" data-testid="history-readonly">${s.searchResult.readOnly}</span>
          <span class="tag">${this.statusText(v.status)}</span>
          <span class="muted">${formatTime(started, new Date(0))} · ${v.agent ? s.searchResult.agent(v.agent.displayName) : this.openedFrom ? this.agentText(this.openedFrom) : ''}</span>
          ${v.rating ? html`<span>${'★'.repeat(v.rating.score)}${'☆'.repeat(5 - v.rating.score)}</span>` : ''}
        </div>
        <console-transcript aria-label=${s.searchResult.opened} .messages=${v.messages} .strings=${s} .names=${this.namesWith(this.openedFrom?.agent)}></console-transcript>`;
    }
    return html`
      <form @submit=${this.search} role="search">
        <label>${s.search}<input type="search" name="q" minlength="2" maxlength="200" required placeholder=${s.searchPlaceholder} data-testid="search-input" .value=${this.query.q} /></label>
        <label>${s.from}<input type="date" name="from" .value=${this.query.from} /></label>
        <label>${s.to}<input type="date" name="to" .value=${this.query.to} /></label>
        <label>${s.status}
          <select name="status">
            <option value="closed" ?selected=${this.query.status === 'closed'}>${s.closed}</option>
            <option value="" ?selected=${this.query.status === ''}>${s.anyStatus}</option>
            <option value="assigned" ?selected=${this.query.status === 'assigned'}>${s.assigned}</option>
          </select>
        </label>
        <button class="primary" type="submit" ?disabled=${this.busy} data-testid="search-submit">${s.search}</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${this.results === undefined
        ? ''
        : this.results.length === 0
          ? html`<p class="muted" role="status">${s.noResults}</p>`
          : html`<ol aria-label=${s.search}>
              ${this.results.map(
                // The date always in full (a reference time long past makes formatTime show it), the agent by name.
                (r) => html`<li>
                  <button data-testid="search-result" data-conversation-id=${r.conversationId} @click=${() => void this.open(r)}>
                    <span class="muted" data-testid="search-result-meta"><time data-testid="search-result-date" datetime=${r.createdAt}>${formatTime(r.createdAt, new Date(0))}</time>
                      · <span data-testid="search-result-agent">${this.agentText(r)}</span> · ${this.statusText(r.status)}</span>
                    <span class="snippet"><span class="muted" data-testid="search-result-author">${s.authors[r.author] ?? r.author}:</span> ${highlightParts(r.snippet, r.highlights).map((p) => (p.mark ? html`<mark>${p.text}</mark>` : p.text))}</span>
                    <span class="open" data-testid="search-result-open">${s.searchResult.openChat} ›</span>
                  </button>
                </li>`,
              )}
            </ol>
            ${this.more ? html`<button @click=${() => void this.search()} ?disabled=${this.busy}>${s.more}</button>` : ''}`}
    `;
  }
}

customElements.define('console-history', ConsoleHistory);

declare global {
  interface HTMLElementTagNameMap {
    'console-history': ConsoleHistory;
  }
}
