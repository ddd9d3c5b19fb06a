// <console-chat-pane>: one chat: transcript, composer, why the bot handed off and its candidate answers
// (one click sends one, in the visitor's language), the visitor context panel, transfer, close and block.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { ApiError, type AgentGroup, type ConsoleApi, type ProvinceOption, type ViewMessage } from '../console-api.ts';
import type { ViewCandidate } from '../../../handoff/http/wire.ts';
import type { ChatState } from '../console-chats.ts';
import { formatDuration, formatTime, provinceLabel } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import { newClientMessageId, sendWithRetry } from '../../shared/send-with-retry.ts';
import type { ConsoleTransferDialog, TransferAgentOption } from './console-transfer-dialog.ts';
import type { ConsoleBlockDialog, VisitorBlockedDetail } from './console-block-dialog.ts';
import './console-block-dialog.ts';
import { defaultDraftQuestion, type ConsoleFaqDraftDialog, type FaqDraftSavedDetail } from './console-faq-draft-dialog.ts';
import './console-composer.ts';
import './console-transcript.ts';
import './console-transfer-dialog.ts';
import './console-customer-history.ts';
import type { ConsoleCloseDialog } from './console-close-dialog.ts';
import './console-close-dialog.ts';
import { composedEvent, ConsoleEvent } from '../../shared/events.ts';
import type { ConsultNoteJson } from '../console-api.ts';
import '../teamwork/console-participants.ts';
import '../teamwork/console-consult-panel.ts';
import type { ConsoleInviteDialog } from '../teamwork/console-invite-dialog.ts';
import '../teamwork/console-invite-dialog.ts';
import { visitorAwaitsReply } from '../console-attention.ts';

/** The width below which the side panel is a sheet (the media queries below say the same). */
const phoneWidth = () => typeof matchMedia === 'function' && matchMedia('(max-width: 720px)').matches;

export class ConsoleChatPane extends LitElement {
  static override properties = {
    api: { attribute: false },
    chat: { attribute: false },
    strings: { attribute: false },
    names: { attribute: false },
    groups: { attribute: false },
    provinces: { attribute: false },
    agents: { attribute: false },
    admin: { type: Boolean },
    me: { type: String },
    consultNotes: { attribute: false },
    consultArrived: { type: Number },
    error: { state: true },
    sendingCandidate: { state: true },
    draftNotice: { state: true },
    closing: { state: true },
    detailsOpen: { state: true },
    noteSeen: { state: true },
  };
  declare api: ConsoleApi;
  declare chat: ChatState;
  declare strings: Strings;
  declare names: ReadonlyMap<string, string>;
  declare groups: AgentGroup[];
  /** The server's province list (names for view.province). */
  declare provinces: ProvinceOption[];
  declare agents: TransferAgentOption[];
  /** The signed-in agent is an admin: may block the visitor of a chat they do not hold. */
  declare admin: boolean;
  /** The signed-in agent's id: owner or colleague in the participants strip, own notes in the consult. */
  declare me: string;
  /** The chat's private consult notes (teamwork/console-teamwork.ts keeps them). */
  declare consultNotes: ConsultNoteJson[];
  /** The latest consult note a colleague sent live (it unfolds a folded consult panel). */
  declare consultArrived: number;
  declare error: string;
  /** The chat an FAQ draft was last saved from here: it shows a short confirmation. */
  declare draftNotice: string;
  declare sendingCandidate: string;
  /** A close sent at one click is on its way: the button waits for it. */
  declare closing: boolean;
  /** A phone's side panel (consult, why handed off, visitor, history) is a sheet over the chat: whether it is open. */
  declare detailsOpen: boolean;
  /** The latest live consult note the agent could see (`consultArrived` beyond it marks the phone's details button). */
  declare noteSeen: number;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.names = new Map();
    this.groups = [];
    this.provinces = [];
    this.agents = [];
    this.admin = false;
    this.me = '';
    this.consultNotes = [];
    this.consultArrived = 0;
    this.error = '';
    this.sendingCandidate = '';
    this.draftNotice = '';
    this.closing = false;
    this.detailsOpen = false;
    this.noteSeen = 0;
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: grid; grid-template-columns: minmax(0, 1fr) 300px; height: 100%; min-height: 0; }
      .main { display: flex; flex-direction: column; min-height: 0; border-right: 1px solid var(--cs-border); }
      header { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 8px 12px; border-bottom: 1px solid var(--cs-border); background: var(--cs-panel); }
      header .grow { flex: 1; }
      button.danger { color: #b3261e; border-color: #e6b3ae; }
      button.danger:hover:not(:disabled) { border-color: #b3261e; background: #fdecea; }
      console-transcript { flex: 1; min-height: 0; }
      aside { overflow-y: auto; padding: 12px; background: var(--cs-panel); display: flex; flex-direction: column; gap: 12px; }
      .ended { padding: 8px 12px; background: #fff4e5; border-top: 1px solid #f3c98b; display: flex; gap: 8px; align-items: center; justify-content: space-between; }
      /* A chat no longer the agent's looks it: grey header with its label, a greyed transcript, the composer off. */
      header.ended-head { background: #eceef1; color: var(--cs-muted); }
      .ended-label { background: #5c636e; color: #fff; font-weight: 600; }
      .main.is-ended console-transcript { filter: grayscale(0.6); opacity: 0.85; }
      ol.candidates { margin: 0; padding: 0; list-style: none; display: flex; flex-direction: column; gap: 8px; }
      ol.candidates li { border: 1px solid var(--cs-border); border-radius: 8px; padding: 8px; }
      .answer { white-space: pre-wrap; font-size: 12px; color: var(--cs-muted); max-height: 7.5em; overflow: hidden; margin: 4px 0; }
      dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; font-size: 12px; }
      dt { color: var(--cs-muted); }
      dd { margin: 0; overflow-wrap: anywhere; }
      @media (max-width: 900px) {
        :host { grid-template-columns: 1fr; grid-template-rows: minmax(0, 1fr) auto; }
        aside { max-height: 40vh; border-top: 1px solid var(--cs-border); }
      }
      .details-toggle, .aside-head { display: none; }
      /* A phone: the transcript and the composer take the screen; the side panel is a sheet over them, behind the
         details button (the chat stays laid out under it, so the transcript keeps its place). */
      @media (max-width: 720px) {
        :host { grid-template-columns: minmax(0, 1fr); grid-template-rows: minmax(0, 1fr); }
        .main, aside { grid-row: 1; grid-column: 1; }
        .main { border-right: none; }
        header { padding: 6px 8px; gap: 6px; }
        aside { display: none; max-height: none; border-top: none; padding-top: 0; }
        aside.open { display: flex; z-index: 1; }
        .main.covered { visibility: hidden; }
        .details-toggle { display: inline-flex; align-items: center; gap: 6px; }
        .new-dot { width: 8px; height: 8px; border-radius: 50%; background: var(--cs-primary); }
        .aside-head {
          display: flex; align-items: center; justify-content: space-between; gap: 8px; position: sticky; top: 0; z-index: 1;
          margin: 0 -12px; padding: 8px 12px; background: var(--cs-panel); border-bottom: 1px solid var(--cs-border);
        }
        .aside-head h2 { margin: 0; }
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    const before = changed.get('chat') as ChatState | undefined;
    if (changed.has('chat') && before?.id !== this.chat?.id) {
      // Another chat: its details start closed, and what was already there counts as seen.
      this.detailsOpen = false;
      this.noteSeen = this.consultArrived;
    } else if (changed.has('consultArrived') && (this.detailsOpen || !phoneWidth())) {
      // A note that came in where the side panel shows (wide, or the sheet open) was seen.
      this.noteSeen = this.consultArrived;
    }
  }

  private toggleDetails(open: boolean) {
    this.detailsOpen = open;
    if (open) this.noteSeen = this.consultArrived;
    // The focus goes with the sheet: to its back button when it opens, back to the details button when it closes.
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(open ? '[data-testid="chat-details-close"]' : '[data-testid="chat-details"]')?.focus(),
    );
  }

  private onAsideKey(e: KeyboardEvent) {
    if (e.key === 'Escape' && this.detailsOpen) {
      e.stopPropagation();
      this.toggleDetails(false);
    }
  }

  private async sendCandidate(c: ViewCandidate) {
    const answer = c.answer;
    if (!answer) return;
    const id = this.chat.id;
    this.sendingCandidate = c.entryId;
    this.error = '';
    // One id per click, the same for the automatic retries of that click.
    const clientMessageId = newClientMessageId();
    try {
      const { message } = await sendWithRetry(() => this.api.send(id, answer, clientMessageId));
      this.dispatchEvent(composedEvent(ConsoleEvent.messageSent, { conversationId: id, message }));
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.sendingCandidate = '';
    }
  }

  /**
   * One click closes, as the HTTP/browser contract's `close` hook promises; only while the visitor waits for an
   * answer (console-attention.ts) a dialog asks first, and then it closes the chat and announces it.
   */
  private async closeChat() {
    this.error = '';
    const chat = this.chat;
    if (visitorAwaitsReply(chat.messages, chat.view?.assignedAt)) {
      void this.renderRoot.querySelector<ConsoleCloseDialog>('console-close-dialog')?.open();
      return;
    }
    this.closing = true;
    try {
      await this.api.close(chat.id);
      this.focusDismiss = true;
      this.dispatchEvent(composedEvent(ConsoleEvent.chatClosed, { conversationId: chat.id }));
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
    } finally {
      this.closing = false;
    }
  }

  private dismiss() {
    this.dispatchEvent(composedEvent(ConsoleEvent.chatDismiss, { conversationId: this.chat.id }));
  }

  /** Chats whose visitor this console blocked: their ended notice says so. */
  private readonly blockedHere = new Set<string>();
  /** Chats an FAQ draft was saved from here: the after-close offer is not repeated. */
  private readonly draftedHere = new Set<string>();

  private openDraft(message: ViewMessage) {
    const chat = this.chat;
    const question = defaultDraftQuestion(chat.messages, message.id, chat.view?.handoff?.reason);
    void this.renderRoot.querySelector<ConsoleFaqDraftDialog>('console-faq-draft-dialog')?.open({ conversationId: chat.id, message, question });
  }

  private onDraftSaved(e: CustomEvent<FaqDraftSavedDetail>) {
    this.draftedHere.add(e.detail.conversationId);
    this.draftNotice = e.detail.conversationId;
  }

  /** The answer the after-close offer is about: the chat's last agent message, when it was handed off and closed here. */
  private draftOffer(): ViewMessage | undefined {
    const chat = this.chat;
    if (!chat.view?.handoff || chat.ended?.why !== 'closed' || chat.ended.by !== 'agent' || this.draftedHere.has(chat.id)) return undefined;
    return [...chat.messages].reverse().find((m) => m.author === 'agent');
  }
  private focusDismiss = false;

  override updated(): void {
    const dismiss = this.focusDismiss && this.renderRoot.querySelector<HTMLElement>('[data-testid="dismiss"]');
    if (dismiss) {
      this.focusDismiss = false;
      dismiss.focus();
    }
  }

  private openBlock() {
    void this.renderRoot.querySelector<ConsoleBlockDialog>('console-block-dialog')?.open();
  }

  private onBlocked(e: CustomEvent<VisitorBlockedDetail>) {
    this.blockedHere.add(e.detail.conversationId);
    // The block button is gone with the dialog: focus goes to the ended bar's button, not to the page.
    this.focusDismiss = true;
    // The server closed the chat with the block: show it ended now, without waiting for the stream.
    this.dispatchEvent(composedEvent(ConsoleEvent.chatClosed, { conversationId: e.detail.conversationId }));
  }

  private openInvite() {
    void this.renderRoot.querySelector<ConsoleInviteDialog>('console-invite-dialog')?.open();
  }

  private openTransfer() {
    void this.renderRoot.querySelector<ConsoleTransferDialog>('console-transfer-dialog')?.open();
  }

  override render() {
    const s = this.strings;
    const chat = this.chat;
    if (!chat) return html``;
    const view = chat.view;
    const held = chat.held;
    const groupName = this.groups.find((g) => g.id === view?.group)?.name ?? view?.group ?? '';
    return html`
      <section class=${`main${held ? '' : ' is-ended'}${this.detailsOpen ? ' covered' : ''}`} aria-label=${s.chats} data-ended=${held ? 'false' : 'true'}>
        <header class=${held ? '' : 'ended-head'} data-testid="chat-header">
          ${held ? '' : html`<span class="tag ended-label" data-testid="ended-label">${s.endedTag[chat.ended?.why ?? 'closed'] ?? s.endedTag.closed}</span>`}
          <span class="tag">${view?.lang === 'en' ? 'English' : '中文'}</span>
          ${groupName ? html`<span class="tag" data-testid="chat-group">${groupName}</span>` : ''}
          ${view?.province ? html`<span class="tag" data-testid="chat-province">${provinceLabel(this.provinces, view.province, s.locale)}</span>` : ''}
          ${view?.handoff ? html`<span class="tag" data-testid="handoff-reason">${s.reasons[view.handoff.reason] ?? view.handoff.reason}</span>` : ''}
          <span class="grow"></span>
          <button class="details-toggle" data-testid="chat-details" aria-controls="chat-aside" aria-expanded=${this.detailsOpen ? 'true' : 'false'}
            @click=${() => this.toggleDetails(!this.detailsOpen)}>${s.phone.details}${this.consultArrived > this.noteSeen
              ? html`<span class="new-dot" role="img" data-testid="chat-details-new" aria-label=${s.phone.newNote}></span>`
              : ''}</button>
          ${held && !chat.colleague
            ? html`<button @click=${this.openTransfer} data-testid="transfer-button">${s.transfer}</button>
                <button
                  @click=${this.closeChat}
                  ?disabled=${this.closing}
                  aria-haspopup=${visitorAwaitsReply(chat.messages, view?.assignedAt) ? 'dialog' : nothing}
                  data-testid="close"
                >${s.close}</button>`
            : ''}
          ${((held && !chat.colleague) || this.admin) && view && !this.blockedHere.has(chat.id)
            ? html`<button class="danger" @click=${this.openBlock} data-testid="block-visitor" aria-haspopup="dialog">${s.blockVisitor}</button>`
            : ''}
        </header>
        <console-participants .view=${view} .strings=${s} me=${this.me} ?colleague=${!!chat.colleague} ?active=${held} ?admin=${this.admin}
          @invite-colleague=${this.openInvite}></console-participants>
        <console-transcript
          .messages=${chat.messages}
          .strings=${s}
          .names=${this.names}
          ?typing=${chat.visitorTyping}
          .readUpTo=${chat.visitorReadUpTo ?? 0}
          ?draftable=${!!view?.handoff && !chat.colleague && (held || !!chat.ended || this.admin)}
          @save-faq-draft=${(e: CustomEvent<{ message: ViewMessage }>) => this.openDraft(e.detail.message)}
        ></console-transcript>
        ${this.draftNotice === chat.id ? html`<p class="ok" role="status" style="margin:4px 12px" data-testid="faq-draft-saved">${s.faqDraft.saved}</p>` : ''}
        ${this.error ? html`<p class="error" role="alert" style="margin:4px 12px">${this.error}</p>` : ''}
        ${held
          ? html`<console-composer .api=${this.api} conversationId=${chat.id} lang=${view?.lang ?? 'zh'} .strings=${s}></console-composer>`
          : html`<div class="ended" role="status" data-testid="chat-ended">
              <span>${this.endedText()}</span>
              ${this.renderDraftOffer()}
              <button @click=${this.dismiss} data-testid="dismiss">${s.dismiss}</button>
            </div>
            <console-composer .api=${this.api} conversationId=${chat.id} lang=${view?.lang ?? 'zh'} .strings=${s} disabled></console-composer>`}
      </section>
      <aside id="chat-aside" class=${this.detailsOpen ? 'open' : ''} aria-label=${s.phone.detailsTitle} @keydown=${this.onAsideKey}>
        <div class="aside-head">
          <h2>${s.phone.detailsTitle}</h2>
          <button data-testid="chat-details-close" @click=${() => this.toggleDetails(false)}>← ${s.phone.back}</button>
        </div>
        <console-consult-panel .api=${this.api} .strings=${s} conversationId=${chat.id} .notes=${this.consultNotes} me=${this.me} .arrived=${this.consultArrived}
          .recipients=${this.agents.filter((a) => a.id !== this.me).map((a) => ({ id: a.id, name: a.name }))} ?readonly=${!held}></console-consult-panel>
        ${this.renderHandoff()} ${this.renderContext()}
        <console-customer-history .api=${this.api} conversation-id=${chat.id} .strings=${s} .names=${this.names}></console-customer-history>
      </aside>
      <console-close-dialog .api=${this.api} conversationId=${chat.id} .strings=${s} @chat-closed=${() => (this.focusDismiss = true)}></console-close-dialog>
      <console-transfer-dialog
        .api=${this.api}
        conversationId=${chat.id}
        .strings=${s}
        .groups=${this.groups}
        .agents=${this.agents}
      ></console-transfer-dialog>
      <console-block-dialog
        .api=${this.api}
        conversationId=${chat.id}
        .strings=${s}
        .visitorId=${view?.visitor.visitorId}
        .hasIp=${view?.visitor.hasIp === true}
        .ip=${view?.visitor.ip}
        @visitor-blocked=${this.onBlocked}
      ></console-block-dialog>
      <console-faq-draft-dialog .api=${this.api} .strings=${s} @faq-draft-saved=${this.onDraftSaved}></console-faq-draft-dialog>
      <console-invite-dialog .api=${this.api} conversationId=${chat.id} .strings=${s} .agents=${this.agents}
        .present=${[view?.agent?.id ?? '', ...(view?.participants ?? []).filter((p) => p.state === 'joined' || p.state === 'invited').map((p) => p.id)]}></console-invite-dialog>
    `;
  }

  /** Non-blocking: a line in the ended bar; the agent may ignore it and dismiss the tab. */
  private renderDraftOffer() {
    const last = this.draftOffer();
    if (!last) return '';
    const s = this.strings.faqDraft;
    return html`<span class="row" data-testid="faq-draft-offer">
      <span class="muted">${s.offerAfterClose}</span>
      <button @click=${() => this.openDraft(last)} data-testid="faq-draft-offer-save">${s.offerAction}</button>
    </span>`;
  }

  private endedText(): string {
    const s = this.strings;
    const ended = this.chat.ended;
    if (!ended) return '';
    if (this.blockedHere.has(this.chat.id)) return s.endedBlocked;
    if (ended.why === 'left') return s.teamwork.endedLeft;
    const base = ended.why === 'closed' ? s.endedClosed : ended.why === 'requeued' ? s.endedRequeued : s.endedTransferred;
    return ended.by ? `${base} (${s.by[ended.by] ?? ended.by})` : base;
  }

  private renderHandoff() {
    const s = this.strings;
    const handoff = this.chat.view?.handoff;
    if (!handoff) return '';
    return html`<section aria-labelledby="why">
      <h2 id="why">${s.reason}</h2>
      <p>${s.reasons[handoff.reason] ?? handoff.reason} <span class="muted">${formatTime(handoff.queuedAt)}</span></p>
      <h3>${s.candidates}</h3>
      ${handoff.candidates.length === 0
        ? html`<p class="muted">${s.noCandidates}</p>`
        : html`<ol class="candidates">
            ${handoff.candidates.map(
              (c) => html`<li data-testid="candidate">
                <strong>${c.question ?? c.entryId}</strong>
                <div class="muted">${c.entryId}${c.score !== undefined ? ` · ${c.score.toFixed(2)}` : ''}</div>
                ${c.answer ? html`<div class="answer">${c.answer}</div>` : ''}
                ${c.answer && this.chat.held
                  ? html`<button
                      class="primary"
                      data-testid="candidate-send"
                      ?disabled=${this.sendingCandidate !== ''}
                      @click=${() => void this.sendCandidate(c)}
                    >${s.sendAnswer}</button>`
                  : ''}
              </li>`,
            )}
          </ol>`}
    </section>`;
  }

  private renderContext() {
    const s = this.strings;
    const view = this.chat.view;
    if (!view) return '';
    const v = view.visitor;
    return html`<section aria-labelledby="ctx" data-testid="visitor-context">
      <h2 id="ctx">${s.context}</h2>
      <dl>
        <dt>${s.lang}</dt><dd>${v.lang === 'en' ? 'English' : '中文'}</dd>
        <dt>${s.firstSeen}</dt><dd>${formatTime(v.firstSeen)}</dd>
        ${v.pageUrl ? html`<dt>${s.page}</dt><dd>${v.pageUrl}</dd>` : ''}
        ${v.referrer ? html`<dt>${s.referrer}</dt><dd>${v.referrer}</dd>` : ''}
        ${v.userAgent ? html`<dt>${s.browser}</dt><dd>${v.userAgent}</dd>` : ''}
        ${view.waitingSeconds !== undefined ? html`<dt>${s.waited}</dt><dd>${formatDuration(view.waitingSeconds)}</dd>` : ''}
        ${view.rating ? html`<dt>${s.rating}</dt><dd>${'★'.repeat(view.rating.score)}${'☆'.repeat(5 - view.rating.score)} ${view.rating.comment ?? ''}</dd>` : ''}
      </dl>
      ${view.transfers.length > 0
        ? html`<h3>${s.transfers}</h3>
            <ul>
              ${view.transfers.map(
                (t) => html`<li>
                  ${formatTime(t.createdAt)} ${t.from?.displayName ?? ''} → ${t.toAgent?.displayName ?? t.toGroup ?? ''}
                  ${t.note ? html`<div class="muted">${t.note}</div>` : ''}
                </li>`,
              )}
            </ul>`
        : ''}
    </section>`;
  }
}

customElements.define('console-chat-pane', ConsoleChatPane);

declare global {
  interface HTMLElementTagNameMap {
    'console-chat-pane': ConsoleChatPane;
  }
}
