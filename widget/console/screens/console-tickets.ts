// <console-tickets>: messages visitors left when nobody could take the chat, and the agent's reply to each.
import { LitElement, css, html } from 'lit';
import { ApiError, type ConsoleApi, type Ticket } from '../console-api.ts';
import { formatTime, shorten } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import { renderText } from '../console-text.ts';

export class ConsoleTickets extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    tickets: { state: true },
    status: { state: true },
    error: { state: true },
    busy: { state: true },
    expanded: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare tickets: Ticket[] | undefined;
  declare status: 'open' | 'answered';
  declare error: string;
  /** Tickets whose long message is shown whole. */
  declare expanded: ReadonlySet<number | string>;
  declare busy: number;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.tickets = undefined;
    this.status = 'open';
    this.error = '';
    this.busy = 0;
    this.expanded = new Set();
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: flex; flex-direction: column; gap: 12px; padding: 16px; height: 100%; overflow: auto; }
      ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 10px; }
      .text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0; }
      form { display: flex; gap: 8px; align-items: flex-end; }
      textarea { flex: 1; min-height: 48px; }
      [aria-pressed='true'] { background: var(--cs-visitor); border-color: var(--cs-focus); }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load() {
    this.error = '';
    try {
      this.tickets = (await this.api.tickets(this.status)).tickets;
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    }
  }

  private show(status: 'open' | 'answered') {
    this.status = status;
    this.tickets = undefined;
    void this.load();
  }

  private async answer(e: SubmitEvent, ticket: Ticket) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const text = String(new FormData(form).get('text') ?? '').trim();
    if (!text) return;
    this.busy = ticket.id;
    this.error = '';
    try {
      await this.api.answerTicket(ticket.id, text);
      form.reset();
      await this.load();
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.busy = 0;
    }
  }

  override render() {
    const s = this.strings;
    return html`
      <div class="row" role="group" aria-label=${s.tickets}>
        <button aria-pressed=${this.status === 'open'} @click=${() => this.show('open')} data-testid="tickets-open">${s.ticketsOpen}</button>
        <button aria-pressed=${this.status === 'answered'} @click=${() => this.show('answered')} data-testid="tickets-answered">${s.ticketsAnswered}</button>
        <button class="link" @click=${() => void this.load()}>↻</button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${this.tickets === undefined
        ? ''
        : this.tickets.length === 0
          ? html`<p class="muted">${s.noTickets}</p>`
          : html`<ol>
              ${this.tickets.map(
                (t) => html`<li class="card" data-testid="ticket">
                  <div class="row">
                    <strong>${s.contact}: ${t.contact}</strong>
                    <span class="tag">${t.groupId}</span><span class="tag">${t.lang === 'en' ? 'English' : '中文'}</span>
                    <span class="tag">${s.reasons[t.reason] ?? t.reason}</span>
                    <span class="muted">${formatTime(t.createdAt)}</span>
                  </div>
                  ${this.message(t)}
                  ${t.status === 'answered'
                    ? html`<div class="muted">${s.answer} (${formatTime(t.answeredAt ?? '')}):</div><div class="text">${renderText(t.answer ?? '')}</div>`
                    : html`<form @submit=${(e: SubmitEvent) => void this.answer(e, t)}>
                        <textarea name="text" required maxlength="2000" aria-label=${s.answerPlaceholder} placeholder=${s.answerPlaceholder} data-testid="ticket-answer"></textarea>
                        <button class="primary" type="submit" ?disabled=${this.busy === t.id} data-testid="ticket-answer-submit">${s.answer}</button>
                      </form>`}
                </li>`,
              )}
            </ol>`}
    `;
  }

  private message(t: Ticket) {
    const whole = this.expanded.has(t.id);
    const short = shorten(t.text, LIST_CHARS);
    const toggle = () => {
      const next = new Set(this.expanded);
      if (whole) next.delete(t.id);
      else next.add(t.id);
      this.expanded = next;
    };
    return html`<div class="text" data-testid="ticket-text">${renderText(whole ? t.text : short.text)}</div>
      ${short.cut
        ? html`<button class="link" aria-expanded=${whole ? 'true' : 'false'} data-testid="ticket-show-all" @click=${toggle}>${whole ? this.strings.showLess : this.strings.showAll}</button>`
        : ''}`;
  }
}

/** Messages longer than this are cut in the list (spam runs to thousands of characters), the rest on demand. */
const LIST_CHARS = 280;

customElements.define('console-tickets', ConsoleTickets);

declare global {
  interface HTMLElementTagNameMap {
    'console-tickets': ConsoleTickets;
  }
}
