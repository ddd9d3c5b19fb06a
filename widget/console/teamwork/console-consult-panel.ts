// <console-consult-panel>: the private consult of one chat, notes between agents the visitor never sees. In a chat
// the agent works it has a "To" choice (the chat's agents, or one colleague asked); for a colleague asked from
// outside the chat (`asked`) it is the thread with whoever asked, and the answer goes back to them.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { ApiError, type ConsoleApi, type ConsultNoteJson } from '../console-api.ts';
import { formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import { renderText } from '../console-text.ts';
import { composedEvent, ConsoleEvent } from '../../shared/events.ts';
import { avatarStyles, renderAgentAvatar } from '../../shared/avatar.ts';

export interface ConsultRecipient {
  id: string;
  name: string;
}

export class ConsoleConsultPanel extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    conversationId: { type: String },
    notes: { attribute: false },
    me: { type: String },
    /** Colleagues a note may be addressed to (besides the chat's agents as a whole). */
    recipients: { attribute: false },
    /** The signed-in agent was asked from outside the chat: a reply thread, no recipient choice. */
    asked: { type: Boolean },
    /** The chat is no longer worked (closed, transferred, left): read only. */
    readonly: { type: Boolean },
    /** The id of the latest note a colleague sent while this console was open (0: none). */
    arrived: { type: Number },
    error: { state: true },
    sending: { state: true },
    collapsed: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare conversationId: string;
  declare notes: ConsultNoteJson[];
  declare me: string;
  declare recipients: ConsultRecipient[];
  declare asked: boolean;
  declare readonly: boolean;
  declare arrived: number;
  declare error: string;
  declare sending: boolean;
  /** Folded to its heading (a narrow screen starts so: the transcript needs the height); a colleague's new note unfolds it. */
  declare collapsed: boolean;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.conversationId = '';
    this.notes = [];
    this.me = '';
    this.recipients = [];
    this.asked = false;
    this.readonly = false;
    this.arrived = 0;
    this.error = '';
    this.sending = false;
    this.collapsed = typeof matchMedia === 'function' && matchMedia('(max-width: 900px)').matches;
  }

  static override styles = [
    consoleBase,
    avatarStyles,
    css`
      :host { display: block; }
      section { border: 1px dashed #c99a2e; border-radius: 8px; background: #fffaf0; padding: 8px; display: flex; flex-direction: column; gap: 6px; }
      h2 { font-size: 14px; margin: 0; }
      h2 button { all: unset; cursor: pointer; display: flex; align-items: center; gap: 6px; flex-wrap: wrap; color: #7a5200; width: 100%; border-radius: 4px; }
      h2 button:focus-visible { outline: 2px solid var(--cs-focus); outline-offset: 1px; }
      h2 .muted { font-weight: normal; }
      .chevron { margin-left: auto; font-size: 11px; color: var(--cs-muted); }
      ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; max-height: 260px; overflow-y: auto; }
      li { display: flex; flex-direction: column; max-width: 92%; }
      li.mine { align-self: flex-end; align-items: flex-end; }
      .meta { font-size: 11px; color: var(--cs-muted); display: flex; gap: 4px; align-items: center; }
      .avatar { width: 16px; height: 16px; font-size: 7px; box-shadow: none; }
      .bubble { padding: 5px 9px; border-radius: 8px; background: #fff3cd; border: 1px solid #f0d68a; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 13px; }
      li.mine .bubble { background: #fde9b8; }
      .lock { font-size: 11px; padding: 0 5px; border-radius: 4px; background: #7a5200; color: #fff; }
      form { display: flex; flex-direction: column; gap: 4px; }
      textarea { resize: vertical; min-height: 2.4em; width: 100%; }
      .controls { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
      .controls label { font-size: 12px; color: var(--cs-muted); display: flex; align-items: center; gap: 4px; min-width: 0; }
      .controls label { flex: 1 1 auto; }
      .controls select { min-width: 0; max-width: 100%; flex: 1 1 auto; }
      .controls .grow { flex: 1; }
      .controls button { margin-left: auto; }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A colleague's note that just came in live unfolds the panel (not what was there when it was first shown).
    if (changed.has('arrived') && changed.get('arrived') !== undefined && this.arrived > 0) this.collapsed = false;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The newest note in view, as in the transcript.
    if (changed.has('notes')) {
      const list = this.renderRoot.querySelector('ol');
      if (list) list.scrollTop = list.scrollHeight;
    }
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const text = String(data.get('text') ?? '').trim();
    const to = String(data.get('to') ?? '');
    if (!text || this.sending) return;
    this.sending = true;
    this.error = '';
    try {
      const { note } = await this.api.consult(this.conversationId, text, to || undefined);
      form.reset();
      this.dispatchEvent(composedEvent(ConsoleEvent.consultSent, { note }));
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.sending = false;
    }
  }

  /** Ctrl/Cmd+Enter sends (a plain Enter is a new line: notes are often a few lines). */
  private onKey(e: KeyboardEvent) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      (e.currentTarget as HTMLTextAreaElement).form?.requestSubmit();
    }
  }

  override render() {
    const t = this.strings.teamwork;
    return html`<section aria-labelledby="consult-h" data-testid="consult-panel">
      <h2 id="consult-h"><button aria-expanded=${this.collapsed ? 'false' : 'true'} data-testid="consult-toggle" @click=${() => (this.collapsed = !this.collapsed)}>
        <span class="lock">🔒 ${t.privateTag}</span>${this.asked ? '' : t.consult}${this.notes.length > 0 ? html` <span class="tag">${this.notes.length}</span>` : ''}
        <span class="muted">${t.consultHint}</span><span class="chevron" aria-hidden="true">${this.collapsed ? '▸' : '▾'}</span>
      </button></h2>
      ${this.collapsed ? '' : this.renderBody()}
    </section>`;
  }

  private renderBody() {
    const t = this.strings.teamwork;
    return html`${this.notes.length === 0
        ? html`<p class="muted" style="margin:0">${t.consultEmpty}</p>`
        : html`<ol aria-label=${t.consult}>
            ${this.notes.map(
              (n) => html`<li class=${n.author.id === this.me ? 'mine' : ''} data-testid="consult-note" data-author-id=${n.author.id}>
                <span class="meta">${renderAgentAvatar(n.author.displayName, n.author.id)}${n.author.displayName}${n.to ? ` → ${n.to.displayName}` : ''} · ${formatTime(n.createdAt)}</span>
                <div class="bubble">${renderText(n.text)}</div>
              </li>`,
            )}
          </ol>`}
      ${this.readonly
        ? ''
        : html`<form @submit=${this.submit}>
            <textarea name="text" rows="2" maxlength="2000" aria-label=${this.asked ? t.reply : t.consult}
              placeholder=${this.asked ? t.replyPlaceholder : t.consultPlaceholder} @keydown=${this.onKey} data-testid="consult-input"></textarea>
            <div class="controls">
              ${this.asked || this.recipients.length === 0
                ? ''
                : html`<label>${t.consultTo}
                    <select name="to" data-testid="consult-to">
                      <option value="">${t.consultEveryone}</option>
                      ${this.recipients.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
                    </select></label>`}
              <span class="grow"></span>
              <button class="primary" type="submit" ?disabled=${this.sending} data-testid="consult-send">${this.asked ? t.reply : t.consultSend}</button>
            </div>
            ${this.error ? html`<p class="error" role="alert" style="margin:0">${this.error}</p>` : ''}
          </form>`}`;
  }
}

customElements.define('console-consult-panel', ConsoleConsultPanel);

declare global {
  interface HTMLElementTagNameMap {
    'console-consult-panel': ConsoleConsultPanel;
  }
}
