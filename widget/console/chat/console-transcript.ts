// <console-transcript>: a chat's messages (visitor, bot, agent, system) with times, bot decision tags and
// a typing line; keeps itself scrolled to the newest message unless the agent scrolled up.
import { LitElement, css, html, type PropertyValues } from 'lit';
import type { ViewMessage } from '../../../handoff/http/wire.ts';
import { formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import { renderText } from '../console-text.ts';
import '../../shared/attachment-card.ts';
import { consoleAttachmentLabels } from './console-files.ts';
import { composedEvent, ConsoleEvent } from '../../shared/events.ts';

export class ConsoleTranscript extends LitElement {
  static override properties = {
    messages: { attribute: false },
    strings: { attribute: false },
    typing: { type: Boolean },
    /** Names of agents by id, for agent messages. */
    names: { attribute: false },
    /** Agent messages get a "Save as FAQ draft" action (a handed-off chat): the `save-faq-draft` event. */
    draftable: { type: Boolean },
  };
  declare messages: ViewMessage[];
  declare strings: Strings;
  declare typing: boolean;
  declare names: ReadonlyMap<string, string>;
  declare draftable: boolean;
  private stick = true;

  constructor() {
    super();
    this.messages = [];
    this.strings = STRINGS.zh;
    this.typing = false;
    this.names = new Map();
    this.draftable = false;
  }

  static override styles = [
    consoleBase,
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
    `,
  ];

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
    return html`<ol aria-label=${s.chats}>
        ${this.messages.map((m) => {
          const who =
            m.author === 'agent' && m.agentId ? (this.names.get(m.agentId) ?? s.authors.agent) : (s.authors[m.author] ?? m.author);
          const botTag =
            m.author === 'bot' && m.kind
              ? ` · ${m.kind}${m.confidence !== undefined ? ` · ${s.confidence} ${m.confidence.toFixed(2)}` : ''}`
              : '';
          return html`<li data-testid="message" data-author=${m.author}>
            ${m.author === 'system' ? '' : html`<span class="meta">${who} · ${formatTime(m.createdAt)}${botTag}</span>`}
            ${m.attachment
              ? html`<cw-attachment-card .attachment=${m.attachment} .labels=${consoleAttachmentLabels(s)}></cw-attachment-card>`
              : html`<div class="bubble">${renderText(m.text)}</div>`}
            ${this.draftable && m.author === 'agent' && !m.attachment
              ? html`<button class="draft" data-testid="save-faq-draft" aria-label=${s.faqDraft.saveLabel(m.text)} @click=${() => this.saveDraft(m)}>${s.faqDraft.save}</button>`
              : ''}
          </li>`;
        })}
      </ol>
      ${this.typing ? html`<div class="typing" data-testid="visitor-typing">${s.visitorTyping}</div>` : ''}`;
  }
}

customElements.define('console-transcript', ConsoleTranscript);

declare global {
  interface HTMLElementTagNameMap {
    'console-transcript': ConsoleTranscript;
  }
}
