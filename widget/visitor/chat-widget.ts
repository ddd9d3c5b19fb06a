// <chat-widget>: the visitor's chat (launcher, panel, bubbles, chips, queue, rating, leave-a-message).
// Why one file of this size: one element's template and event wiring; its state, requests and sending live in
// visitor-connection.ts and the modules beside it, its look in visitor-styles.ts.
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { richText } from './ui-rich-text.ts';
import { VisitorConnection, type ChatItem } from './visitor-connection.ts';
import { VisitorInvitation, type InvitationView } from './visitor-invitation.ts';
import { formatEta, formatTime, parseLang, strings, type Lang, type Strings } from './visitor-i18n.ts';
import { widgetStyles } from './visitor-styles.ts';
import { themeStyles } from './visitor-theme.ts';
import { VisitorTexts } from './visitor-texts.ts';
import { LeftMessages } from './left-messages.ts';
import { noticeStyles, renderAnswerHeader, renderBanner, renderWaiting } from './visitor-notices.ts';
import { insertAtCaret } from '../shared/emoji-picker.ts';
import { allowFileDrop, renderAttachButton, renderAttachment, takePickedFile, takeTransferredFile } from './visitor-file-parts.ts';
import { messageStyles, renderMessageAvatar, renderReceipt } from './visitor-message-parts.ts';
import { composedEvent, WidgetEvent, type EmojiPickDetail } from '../shared/events.ts';
export type { ChatWidgetToggleDetail } from '../shared/events.ts';

const CHAT_ICON = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z" />
</svg>`;

export class ChatWidget extends LitElement {
  static override styles = [widgetStyles, themeStyles, noticeStyles, messageStyles];

  static override properties = {
    server: { type: String },
    language: { type: String, attribute: 'lang' },
    province: { type: String },
    heading: { type: String },
    primaryColor: { type: String, attribute: 'primary-color' },
    position: { type: String, reflect: true },
    theme: { type: String, attribute: 'data-theme', reflect: true },
    open: { type: Boolean, reflect: true },
    ratingScore: { state: true },
    ratingThanks: { state: true },
    busy: { state: true },
  };

  /** Base URL of the chat server; '' = this page's origin. */
  declare server: string;
  /** Starting language (`zh` | `en`) until the visitor switches; default from the page's `<html lang>`, else zh. */
  declare language: string;
  /** The embedding page's province id (data-province: a province site knows its province); '' = unknown. */
  declare province: string;
  /** The panel's title; default 在线客服 / Online service. */
  declare heading: string;
  /** Any CSS colour; sets `--cw-primary`. */
  declare primaryColor: string;
  /** `right` (default) or `left` bottom corner. */
  declare position: string;
  /** data-theme: `light`, `dark`, or `auto` (unset: the page's prefers-color-scheme decides; visitor-theme.ts). */
  declare theme: string | undefined;
  /** Whether the panel is open (kept across reloads). */
  declare open: boolean;
  declare ratingScore: number;
  declare ratingThanks: boolean;
  /** A form is being sent (its buttons are disabled meanwhile). */
  declare busy: boolean;

  readonly chat: VisitorConnection;
  /** Page-view reports and invitations (added after `chat`, so the visitor id is known when it starts). */
  readonly presence: VisitorInvitation;
  /** The admins' welcome, warning banner and logo (the built-in ones until they arrive). */
  readonly texts: VisitorTexts;
  /** The messages this chat left, to show their answers as replies. */
  readonly left: LeftMessages;
  /** Messages left from this page: each one read back so it shows as received. */
  private leftCount = 0;
  private focusAfterUpdate: 'input' | 'launcher' | undefined;
  private renderedCount = 0;
  private renderedReceipt = 0;

  constructor() {
    super();
    this.server = '';
    this.language = '';
    this.province = '';
    this.heading = '';
    this.primaryColor = '';
    this.position = 'right';
    this.open = false;
    this.ratingScore = 0;
    this.ratingThanks = false;
    this.busy = false;
    this.chat = new VisitorConnection(this, {
      server: () => this.server,
      defaultLang: () => parseLang(this.language) ?? parseLang(document.documentElement.lang) ?? 'zh',
      province: () => this.province.trim().toLowerCase() || undefined,
    });
    this.texts = new VisitorTexts(this, () => this.server);
    this.left = new LeftMessages(this, this.chat);
    this.presence = new VisitorInvitation(this, {
      server: () => this.server,
      visitorId: () => this.chat.visitor,
      onAccept: (invitation) => {
        this.chat.startFromInvitation(invitation.id, invitation.from === 'agent' ? 'agent' : 'system', this.invitationText(invitation, strings(this.chat.lang)));
        this.setOpen(true);
      },
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.open && this.chat.savedOpen()) this.open = true;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('primaryColor')) {
      const color = this.primaryColor.trim();
      if (color && CSS.supports('color', color)) this.style.setProperty('--cw-primary', color);
      else this.style.removeProperty('--cw-primary');
    }
    if (changed.has('open')) this.chat.setOpen(this.open);
  }

  override updated(): void {
    const root = this.renderRoot;
    if (this.focusAfterUpdate === 'input') root.querySelector<HTMLElement>('[data-testid="input"]')?.focus();
    if (this.focusAfterUpdate === 'launcher') root.querySelector<HTMLElement>('[data-testid="launcher"]')?.focus();
    this.focusAfterUpdate = undefined;
    // Anything added at the bottom (a message, its chips, the typing line, the leave-a-message form) scrolls to it.
    const chips = this.chat.items.filter((m) => m.suggestions?.length).length;
    const count = this.chat.items.length + chips + (this.chat.agentTyping ? 1 : 0) + (this.chat.leaveMessage ? 1 : 0);
    // The read receipt is a line under the visitor's newest message: it scrolls into view when it appears or moves down.
    const receipt = this.chat.receiptAt;
    if (this.open && (count !== this.renderedCount || receipt !== this.renderedReceipt)) {
      const log = root.querySelector('.log');
      if (log) log.scrollTop = log.scrollHeight;
    }
    this.renderedCount = this.open ? count : -1;
    this.renderedReceipt = receipt;
    const newestAgentMessage = this.chat.items.reduce((n, m) => (m.author === 'agent' && m.id !== undefined && m.id > n ? m.id : n), 0);
    this.left.sync({ open: this.open, newestAgentMessage, leftCount: this.leftCount });
    this.chat.shown(this.open && document.visibilityState === 'visible');
  }

  /** Opens the panel and moves focus into it. */
  show(): void {
    this.setOpen(true);
  }

  /** Closes the panel and gives focus back to the launcher. */
  hide(): void {
    this.setOpen(false);
  }

  private setOpen(open: boolean): void {
    if (this.open === open) return;
    this.open = open;
    this.focusAfterUpdate = open ? 'input' : 'launcher';
    this.dispatchEvent(composedEvent(WidgetEvent.toggle, { open }));
  }

  override render(): TemplateResult {
    const s = strings(this.chat.lang);
    return html`
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this.announcement(s)}</div>
      ${this.open ? this.renderPanel(s) : html`${this.renderInvitation(s)}${this.renderLauncher(s)}`}
    `;
  }

  private announcement(s: Strings): string {
    // A new invitation appears without taking focus: the live region reads it out.
    const invitation = this.presence.invitation;
    if (invitation && !this.open && !this.chat.blocked) {
      return `${invitation.from === 'agent' && invitation.agentName ? s.inviteFrom(invitation.agentName) : s.inviteLabel}: ${this.invitationText(invitation, s)}`;
    }
    const m = this.chat.announcement;
    return m ? `${this.authorLabel(m, s) || s.system}: ${m.text}` : '';
  }

  /** The invitation's words in the visitor's language: the agent's own, the rule's, or a default greeting. */
  private invitationText(invitation: InvitationView, s: Strings): string {
    const text = invitation.text;
    if (typeof text === 'string') return text;
    if (text) return text[this.chat.lang];
    return s.inviteDefault;
  }

  /** A small bubble by the launcher; Escape or × dismisses it, the button opens the chat. */
  private renderInvitation(s: Strings): TemplateResult | typeof nothing {
    const invitation = this.presence.invitation;
    if (!invitation || this.chat.blocked) return nothing;
    const from = invitation.from === 'agent' && invitation.agentName ? s.inviteFrom(invitation.agentName) : this.heading || s.title;
    return html`<div
      class="invitation"
      role="dialog"
      aria-labelledby="cw-invite-from"
      aria-describedby="cw-invite-text"
      data-testid="invitation"
      lang=${this.chat.lang}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Escape') this.dismissInvitation();
      }}
    >
      <p class="invite-from" id="cw-invite-from">${from}</p>
      <p class="invite-text" id="cw-invite-text">${this.invitationText(invitation, s)}</p>
      <button class="invite-accept" data-testid="invitation-accept" @click=${() => void this.presence.accept()}>${s.inviteAccept}</button>
      <button class="invite-close" data-testid="invitation-dismiss" aria-label=${s.inviteDismiss} @click=${() => this.dismissInvitation()}>×</button>
    </div>`;
  }

  /** The bubble goes away with the focused button in it: focus returns to the launcher, not the host page's top. */
  private dismissInvitation(): void {
    this.focusAfterUpdate = 'launcher';
    void this.presence.dismiss();
    this.requestUpdate();
  }

  private renderLauncher(s: Strings): TemplateResult {
    const unread = this.chat.unread;
    return html`<button
      class="launcher"
      data-testid="launcher"
      aria-haspopup="dialog"
      aria-expanded="false"
      lang=${this.chat.lang}
      @click=${() => this.setOpen(true)}
    >
      ${this.launcherIcon()}<span>${this.heading || s.title}</span>
      ${unread > 0 ? html`<span class="badge" aria-hidden="true">${unread}</span><span class="sr-only">${s.newMessages(unread)}</span>` : nothing}
    </button>`;
  }

  /** The admins' logo when they set one (a raster image from the chat server), else the built-in icon. */
  private launcherIcon(): TemplateResult {
    const logo = this.texts.logoUrl();
    return logo ? html`<img class="logo" src=${logo} alt="" data-testid="launcher-logo" />` : CHAT_ICON;
  }

  private renderPanel(s: Strings): TemplateResult {
    const chat = this.chat;
    const other: Lang = chat.lang === 'zh' ? 'en' : 'zh';
    const withPerson = !chat.blocked && (chat.status === 'queued' || chat.status === 'assigned');
    return html`<section class="panel" role="dialog" aria-labelledby="cw-title" lang=${chat.lang} @keydown=${this.onPanelKeydown} @dragover=${this.onDragOver} @drop=${this.onDrop}>
      <header>
        <h2 id="cw-title">${this.heading || s.title}</h2>
        <button class="head-btn" data-testid="lang-switch" lang=${other} aria-label=${s.switchLangLabel} @click=${() => chat.setLang(other)}>
          ${s.switchLang}
        </button>
        ${withPerson ? html`<button class="head-btn" data-testid="end-chat" @click=${() => chat.endChat()}>${s.endChat}</button>` : nothing}
        <button class="head-btn" data-testid="minimize" aria-label=${s.minimize} title=${s.minimize} @click=${() => this.setOpen(false)}>
          <span aria-hidden="true">✕</span>
        </button>
      </header>
      ${renderBanner(this.texts.banner(chat.lang), s)}
      ${chat.blocked
        ? nothing
        : !chat.online
        ? html`<div class="notice" role="alert" data-testid="offline">${s.offline}</div>`
        : chat.restarting || chat.reconnecting
          ? html`<div class="notice" role="status" data-testid="reconnecting">${chat.restarting ? s.restarting : s.reconnecting}</div>`
          : nothing}
      ${chat.status === 'queued'
        ? html`<div class="status-bar" data-testid="queue-status" role="status">
            ${chat.queue ? s.queue(chat.queue.position, formatEta(chat.queue.etaSeconds, chat.lang)) : s.queueWaiting}
          </div>`
        : chat.status === 'assigned' && chat.agentName
          ? html`<div class="status-bar" data-testid="agent-status">${s.withAgent(chat.agentName)}</div>`
          : nothing}
      <div class="log" aria-label=${this.heading || s.title} tabindex="0">
        <p class="welcome" data-testid="welcome">${richText(this.texts.welcome(chat.lang, s.welcome))}</p>
        ${this.renderChips(s.topicsLabel, s.topics.map((t) => ({ label: t.label, question: t.question })), 'topic-chip')}
        ${chat.items.map((m) => this.renderMessage(m, s))}
        ${chat.agentTyping
          ? html`<p class="typing" data-testid="typing">${s.typing(chat.agentName ?? s.agent)}</p>`
          : nothing}
        ${renderWaiting(this.left.waiting(), s)}
        ${chat.leaveMessage && chat.hasConversation ? this.renderTicket(s) : nothing}
        ${chat.ratingDue && chat.status === 'closed' ? this.renderRating(s) : nothing}
        ${this.ratingThanks ? html`<p class="typing" role="status">${s.ratingThanks}</p>` : nothing}
        ${chat.blocked ? html`<p class="blocked" role="status" data-testid="blocked-notice">${s.blocked}</p>` : nothing}
      </div>
      ${chat.error ? html`<div class="error" role="alert" data-testid="error">${s[chat.error]}</div>` : nothing}
      ${!withPerson && !chat.blocked
        ? html`<div class="actions">
            <button class="chip" data-testid="handoff-button" @click=${() => chat.handoff()}>${s.handoff}</button>
          </div>`
        : nothing}
      <form class="composer" @submit=${this.onSubmit}>
        ${renderAttachButton(chat, s)}
        <label class="sr-only" for="cw-input">${s.inputLabel}</label>
        <textarea
          id="cw-input"
          data-testid="input"
          rows="1"
          maxlength="1000"
          placeholder=${s.placeholder}
          ?disabled=${chat.blocked}
          @keydown=${this.onInputKeydown}
          @paste=${this.onPaste}
          @input=${() => chat.typed()}
        ></textarea>
        <cw-emoji-picker locale=${chat.lang} label=${s.emoji} close-label=${s.emojiClose} ?disabled=${chat.blocked} @emoji-pick=${this.onEmoji}></cw-emoji-picker>
        <button class="btn" type="submit" data-testid="send" ?disabled=${chat.blocked}>${s.send}</button>
      </form>
    </section>`;
  }

  /** Chips that send their question; `open` false shows them as offered earlier, no longer to be chosen. */
  private renderChips(label: string, chips: Array<{ label: string; question: string }>, testid: string, open = true): TemplateResult {
    return html`<p class="chips-label">${label}</p>
      <ul class="chips" aria-label=${label}>
        ${chips.map(
          (c) => html`<li><button class="chip" data-testid=${testid} ?disabled=${!open} @click=${() => this.sendText(c.question)}>${c.label}</button></li>`,
        )}
      </ul>`;
  }

  private authorLabel(m: ChatItem, s: Strings): string {
    switch (m.author) {
      case 'visitor':
        return s.visitor;
      case 'bot':
        return s.bot;
      case 'agent':
        return m.agentName ?? s.agent;
      default:
        return '';
    }
  }

  private renderMessage(m: ChatItem, s: Strings): TemplateResult {
    const label = this.authorLabel(m, s);
    const answered = m.author === 'agent' ? this.left.answeredBy(m.id) : undefined;
    return html`<div class="msg" data-testid="message" data-author=${m.author} data-state=${m.state ?? nothing} data-ticket-answer=${answered ? answered.id : nothing}>
      ${renderMessageAvatar(m, label)}
      <span class="meta">
        ${label ? html`<span data-testid="message-author">${label}</span> · ` : nothing}<time datetime=${m.createdAt}>${formatTime(m.createdAt)}</time>
      </span>
      ${renderAttachment(m, this.chat, s) ?? html`<div class="bubble">${answered ? renderAnswerHeader(answered, s) : nothing}${richText(m.text)}</div>`}
      ${renderReceipt(m, this.chat, s)}
      ${m.suggestions?.length
        ? this.renderChips(
            // The province question's choices are answers, not questions the visitor may ask.
            m.suggestions[0]!.entryId.startsWith('province:') ? s.choose : s.suggestions,
            m.suggestions.map((x) => ({ label: x.question, question: x.question })),
            'suggestion',
            this.chat.choicesOpen(m),
          )
        : nothing}
      ${m.state === 'failed'
        ? this.chat.blocked
          ? html`<p class="failed">${s.sendFailed}</p>`
          : html`<p class="failed" role="alert">
              ${m.error ? s[m.error] : s.sendFailed}
              <button class="link-btn" data-testid="retry" @click=${() => this.chat.retry(m.key)}>${s.retry}</button>
            </p>`
        : nothing}
    </div>`;
  }

  private renderTicket(s: Strings): TemplateResult {
    return html`<form class="card" data-testid="ticket-form" aria-labelledby="cw-ticket" @submit=${this.onTicket}>
      <h3 id="cw-ticket">${s.ticketTitle}</h3>
      <p>${s.ticketIntro}</p>
      <label for="cw-contact">${s.ticketContact}</label>
      <input id="cw-contact" name="contact" data-testid="ticket-contact" required maxlength="200" autocomplete="email" />
      <label for="cw-ticket-text">${s.ticketText}</label>
      <textarea id="cw-ticket-text" name="text" data-testid="ticket-text" required maxlength="1000"></textarea>
      <div class="row">
        <button type="button" class="btn secondary" data-testid="ticket-cancel" @click=${() => this.closeCard(() => this.chat.dismissTicket())}>${s.cancel}</button>
        <button type="submit" class="btn" data-testid="ticket-submit" ?disabled=${this.busy}>${s.ticketSubmit}</button>
      </div>
    </form>`;
  }

  private renderRating(s: Strings): TemplateResult {
    return html`<form class="card" data-testid="rating" aria-labelledby="cw-rate" @submit=${this.onRate}>
      <h3 id="cw-rate">${s.ratingTitle}</h3>
      <div class="stars" role="group" aria-labelledby="cw-rate">
        ${[1, 2, 3, 4, 5].map(
          (n) => html`<button
            type="button"
            class=${n <= this.ratingScore ? 'star on' : 'star'}
            data-testid=${`rating-star-${n}`}
            aria-pressed=${n === this.ratingScore ? 'true' : 'false'}
            aria-label=${s.ratingStar(n)}
            @click=${() => (this.ratingScore = n)}
          >
            ${n <= this.ratingScore ? '★' : '☆'}
          </button>`,
        )}
      </div>
      <label for="cw-comment">${s.ratingComment}</label>
      <textarea id="cw-comment" name="comment" data-testid="rating-comment" maxlength="500"></textarea>
      <div class="row">
        <button type="button" class="btn secondary" data-testid="rating-skip" @click=${() => this.closeCard(() => this.chat.skipRating())}>${s.ratingSkip}</button>
        <button type="submit" class="btn" data-testid="rating-submit" ?disabled=${this.ratingScore === 0 || this.busy}>${s.ratingSubmit}</button>
      </div>
    </form>`;
  }

  private closeCard(close: () => void): void {
    close();
    this.focusAfterUpdate = 'input';
  }

  private sendText(text: string): void {
    this.ratingThanks = false;
    void this.chat.send(text);
    this.focusAfterUpdate = 'input';
  }

  private readonly onSubmit = (e: Event) => {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLTextAreaElement>('[data-testid="input"]');
    // A picked file goes first, then the words typed with it (if any).
    const file = takePickedFile(this.renderRoot);
    if (file) void this.chat.sendFile(file);
    if (!input || input.value.trim() === '') return;
    const text = input.value;
    input.value = '';
    this.sendText(text);
  };

  private readonly onPaste = (e: ClipboardEvent) => takeTransferredFile(this.renderRoot, e);
  private readonly onDragOver = (e: DragEvent) => allowFileDrop(this.renderRoot, e);
  private readonly onDrop = (e: DragEvent) => takeTransferredFile(this.renderRoot, e);

  private readonly onInputKeydown = (e: KeyboardEvent) => {
    // Enter sends, Shift+Enter is a new line; never while an IME is composing (Chinese input).
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      (e.target as HTMLTextAreaElement).form?.requestSubmit();
    }
  };

  /** An emoji from the picker goes where the caret is in the message box. */
  private readonly onEmoji = (e: CustomEvent<EmojiPickDetail>) => {
    const input = this.renderRoot.querySelector<HTMLTextAreaElement>('[data-testid="input"]');
    if (input) insertAtCaret(input, e.detail.emoji);
  };

  private readonly onPanelKeydown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      this.setOpen(false);
    }
  };

  private readonly onTicket = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    this.busy = true;
    const ok = await this.chat.submitTicket(String(data.get('contact') ?? ''), String(data.get('text') ?? ''));
    this.busy = false;
    // The form is gone: focus goes back to the message box instead of getting lost on the page.
    if (ok) {
      this.focusAfterUpdate = 'input';
      this.leftCount++;
    }
  };

  private readonly onRate = async (e: SubmitEvent) => {
    e.preventDefault();
    if (this.ratingScore === 0) return;
    const data = new FormData(e.currentTarget as HTMLFormElement);
    this.busy = true;
    const ok = await this.chat.rate(this.ratingScore, String(data.get('comment') ?? ''));
    this.busy = false;
    if (ok) {
      this.ratingScore = 0;
      this.ratingThanks = true;
      this.focusAfterUpdate = 'input';
    }
  };
}

if (!customElements.get('chat-widget')) customElements.define('chat-widget', ChatWidget);

declare global {
  interface HTMLElementTagNameMap {
    'chat-widget': ChatWidget;
  }
}
