// <console-customer-history>: the chat visitor's other conversations in the side panel (date, agent, status),
// each the caller may view opening read-only in place (GET /api/agent/conversations/:id, view-access.ts).
import { LitElement, css, html, type PropertyValues } from 'lit';
import { ApiError, type ConsoleApi, type ConversationView, type VisitorHistoryItem } from '../console-api.ts';
import { formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import './console-transcript.ts';

export class ConsoleCustomerHistory extends LitElement {
  static override properties = {
    api: { attribute: false },
    conversationId: { type: String, attribute: 'conversation-id' },
    strings: { attribute: false },
    names: { attribute: false },
    items: { state: true },
    opened: { state: true },
    error: { state: true },
  };
  declare api: ConsoleApi;
  declare conversationId: string;
  declare strings: Strings;
  declare names: ReadonlyMap<string, string>;
  /** undefined while loading. */
  declare items: VisitorHistoryItem[] | undefined;
  declare opened: ConversationView | undefined;
  declare error: string;

  constructor() {
    super();
    this.conversationId = '';
    this.strings = STRINGS.zh;
    this.names = new Map();
    this.items = undefined;
    this.opened = undefined;
    this.error = '';
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; }
      ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
      li button { width: 100%; text-align: start; padding: 6px 8px; }
      li .item { padding: 6px 8px; border: 1px dashed var(--cs-border); border-radius: 6px; color: var(--cs-muted); }
      console-transcript { border: 1px solid var(--cs-border); border-radius: 8px; max-height: 50vh; margin-top: 6px; }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conversationId') && this.conversationId) void this.load(this.conversationId);
  }

  private async load(id: string) {
    this.items = undefined;
    this.opened = undefined;
    this.error = '';
    try {
      const { conversations } = await this.api.history(id);
      if (id === this.conversationId) this.items = conversations;
    } catch (err) {
      if (id === this.conversationId) this.error = err instanceof ApiError ? err.message : String(err);
    }
  }

  private async open(id: string) {
    this.error = '';
    try {
      this.opened = await this.api.view(id);
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
  }

  private statusText(status: string): string {
    const s = this.strings as unknown as Record<string, string>;
    return s[status === 'queued' ? 'waiting' : status] ?? status;
  }

  override render() {
    const s = this.strings;
    const v = this.opened;
    return html`<section aria-labelledby="hist" data-testid="customer-history">
      <h2 id="hist">${s.customerHistory}</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${v
        ? html`<div class="row">
              <button @click=${() => (this.opened = undefined)} data-testid="customer-history-back">← ${s.back}</button>
              <span class="tag">${this.statusText(v.status)}</span>
            </div>
            <console-transcript data-testid="customer-history-transcript" .messages=${v.messages} .strings=${s} .names=${this.names}></console-transcript>`
        : this.items === undefined
          ? ''
          : this.items.length === 0
            ? html`<p class="muted">${s.noHistory}</p>`
            : html`<ol>
                ${this.items.map((item) => {
                  // A reference time long past: formatTime then always shows the date, which a history needs.
                  const line = html`<span>${formatTime(item.createdAt, new Date(0))}</span> <span class="tag">${this.statusText(item.status)}</span><br />
                    <span class="muted">${item.agent?.displayName ?? s.bot} · ${item.messages} ${s.messagesCount}</span>`;
                  return html`<li>
                    ${item.viewable
                      ? html`<button data-testid="customer-history-item" @click=${() => void this.open(item.id)}>${line}</button>`
                      : html`<div class="item" data-testid="customer-history-item" title=${s.notViewable}>${line}<br /><span class="muted">${s.notViewable}</span></div>`}
                  </li>`;
                })}
              </ol>`}
    </section>`;
  }
}

customElements.define('console-customer-history', ConsoleCustomerHistory);

declare global {
  interface HTMLElementTagNameMap {
    'console-customer-history': ConsoleCustomerHistory;
  }
}
