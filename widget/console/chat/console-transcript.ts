// <console-transcript>: a chat's messages (visitor, bot, agent, system) with times, bot decision tags, avatars (the
// bot's robot, each agent's initials), the read receipt under the newest agent message and a typing line; keeps
// itself scrolled to the newest message unless the agent scrolled up.
import { LitElement, css, html, type PropertyValues } from 'lit';
import type { ViewMessage } from '../../../handoff/http/wire.ts';
import { formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import { renderText } from '../console-text.ts';
import '../../shared/attachment-card.ts';
import { consoleAttachmentLabels } from './console-files.ts';
import { composedEvent, ConsoleEvent } from '../../shared/events.ts';
import { avatarStyles, renderAgentAvatar, renderBotAvatar } from '../../shared/avatar.ts';

export class ConsoleTranscript extends LitElement {
  static override properties = {
    messages: { attribute: false },
    strings: { attribute: false },
    typing: { type: Boolean },
    /** Names of agents by id, for agent messages. */
    names: { attribute: false },
    /** Agent messages get a "Save as FAQ draft" action (a handed-off chat): the `save-faq-draft` event. */
    draftable: { type: Boolean },
    /** Read receipts: the visitor's widget has shown every message up to this id (0: nothing yet). */
    readUpTo: { type: Number },
  };
  declare messages: ViewMessage[];
  declare strings: Strings;
  declare typing: boolean;
  declare names: ReadonlyMap<string, string>;
  declare draftable: boolean;
  declare readUpTo: number;
  private stick = true;

  constructor() {
    super();
    this.messages = [];
    this.strings = STRINGS.zh;
    this.typing = false;
    this.names = new Map();
    this.draftable = false;
    this.readUpTo = 0;
  }

  static override styles = [
    consoleBase,
    avatarStyles,
    css`
      :host { display: block; overflow-y: auto; padding: 12px; background: var(--cs-bg); }
      ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
      li { max-width: 78%; display: flex; flex-direction: column; }
      li[data-author='visitor'] { align-self: flex-start; }
      li[data-author='agent'] { align-self: flex-end; align-items: flex-end; }
      li[data-author='bot'] { align-self: flex-start; }
      li[data-author='system'] { align-self: center; max-width: 90%; }
      .bubble { padding: 6px 10px; border-radius: 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
      [data-author='visitor'] .bubble { background: var(--cs-visitor); }
      [data-author='bot'] .bubble { background: var(--cs-bot); border: 1px dashed var(--cs-border); }
      [data-author='agent'] .bubble { background: var(--cs-agent); }
      [data-author='system'] .bubble { background: none; color: var(--cs-muted); font-size: 12px; text-align: center; }
      .meta { font-size: 11px; color: var(--cs-muted); margin: 0 4px 2px; }
      .typing { color: var(--cs-muted); font-style: italic; font-size: 12px; margin-top: 8px; }
      button.draft { font-size: 11px; min-height: 0; padding: 0 6px; margin-top: 2px; color: var(--cs-muted); }
      /* The bot's and agents' messages carry an avatar: the bot's on the left, an agent's on the right. */
      li[data-author='bot'], li[data-author='agent'] { display: grid; column-gap: 8px; align-items: start; }
      li[data-author='bot'] { grid-template-columns: 28px minmax(0, 1fr); justify-items: start; }
      li[data-author='agent'] { grid-template-columns: minmax(0, 1fr) 28px; justify-items: end; }
      li[data-author='bot'] > :not(.avatar) { grid-column: 2; }
      li[data-author='agent'] > :not(.avatar) { grid-column: 1; }
      li > .avatar { grid-row: 1 / span 2; margin-top: 2px; }
      li[data-author='bot'] > .avatar { grid-column: 1; }
      li[data-author='agent'] > .avatar { grid-column: 2; }
      .receipt { font-size: 11px; color: var(--cs-muted); margin: 2px 4px 0; }
      .receipt[data-state='read'] { color: #1a7f37; }
    `,
  ];

  /** The agent's own scrolling says whether to stay at the newest message. */
  private readonly onScroll = () => {
    this.stick = this.scrollHeight - this.scrollTop - this.clientHeight < 40;
  };
  /**
   * A box that changes size (a tablet turned, the window resized, the phone's details sheet closed) or content that
   * grows after rendering (a picture loaded) keeps the newest message in view, unless the agent scrolled up.
   */
  private readonly resizes = typeof ResizeObserver === 'function' ? new ResizeObserver(() => {
    if (this.stick) this.scrollTop = this.scrollHeight;
  }) : undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('scroll', this.onScroll, { passive: true });
    this.observeSizes();
  }

  private observeSizes() {
    this.resizes?.observe(this);
    const list = this.renderRoot?.querySelector('ol');
    if (list) this.resizes?.observe(list);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('scroll', this.onScroll);
    this.resizes?.disconnect();
  }

  protected override firstUpdated(): void {
    this.observeSizes();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('messages') || changed.has('typing')) {
      this.stick = this.scrollHeight - this.scrollTop - this.clientHeight < 40;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('messages') || changed.has('typing')) && this.stick) this.scrollTop = this.scrollHeight;
  }

  private saveDraft(message: ViewMessage) {
    this.dispatchEvent(composedEvent(ConsoleEvent.saveFaqDraft, { message }));
  }

  override render() {
    const s = this.strings;
    // Only the newest agent message says whether the visitor has read it (and so everything before it).
    let newestAgent = 0;
    for (const m of this.messages) if (m.author === 'agent' && m.id > newestAgent) newestAgent = m.id;
    return html`<ol aria-label=${s.chats}>
        ${this.messages.map((m) => {
          const who =
            m.author === 'agent' && m.agentId ? (this.names.get(m.agentId) ?? s.authors.agent) : (s.authors[m.author] ?? m.author);
          const botTag =
            m.author === 'bot' && m.kind
              ? ` · ${m.kind}${m.confidence !== undefined ? ` · ${s.confidence} ${m.confidence.toFixed(2)}` : ''}`
              : '';
          return html`<li data-testid="message" data-author=${m.author}>
            ${m.author === 'bot' ? renderBotAvatar() : m.author === 'agent' ? renderAgentAvatar(who ?? '', m.agentId ?? who ?? '') : ''}
            ${m.author === 'system' ? '' : html`<span class="meta">${who} · ${formatTime(m.createdAt)}${botTag}</span>`}
            ${m.attachment
              ? html`<cw-attachment-card .attachment=${m.attachment} .labels=${consoleAttachmentLabels(s)}></cw-attachment-card>`
              : html`<div class="bubble">${renderText(m.text)}</div>`}
            ${m.id === newestAgent ? this.renderReceipt(m.id) : ''}
            ${this.draftable && m.author === 'agent' && !m.attachment
              ? html`<button class="draft" data-testid="save-faq-draft" aria-label=${s.faqDraft.saveLabel(m.text)} @click=${() => this.saveDraft(m)}>${s.faqDraft.save}</button>`
              : ''}
          </li>`;
        })}
      </ol>
      ${this.typing ? html`<div class="typing" data-testid="visitor-typing">${s.visitorTyping}</div>` : ''}`;
  }

  private renderReceipt(id: number) {
    const read = this.readUpTo >= id;
    return html`<span class="receipt" data-testid="receipt" data-state=${read ? 'read' : 'sent'}
      ><span aria-hidden="true">${read ? '✓✓' : '✓'}</span> ${read ? this.strings.receiptRead : this.strings.receiptSent}</span
    >`;
  }
}

customElements.define('console-transcript', ConsoleTranscript);

declare global {
  interface HTMLElementTagNameMap {
    'console-transcript': ConsoleTranscript;
  }
}
