// <console-colleague-requests>: what colleagues ask of the signed-in agent, beside the queue: invitations into their
// chats (accept or decline) and consults about chats this agent is not in (read and answer the thread).
import { LitElement, css, html } from 'lit';
import { ApiError, type ChatInvitationJson, type ConsoleApi, type ConsultNoteJson } from '../console-api.ts';
import { formatTime } from '../console-format.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import { composedEvent, ConsoleEvent } from '../../shared/events.ts';
import './console-consult-panel.ts';

export interface ConsultThread {
  conversationId: string;
  notes: ConsultNoteJson[];
  /** The latest note that came in live (0: none). */
  arrived: number;
}

export class ConsoleColleagueRequests extends LitElement {
  static override properties = {
    api: { attribute: false },
    strings: { attribute: false },
    me: { type: String },
    invitations: { attribute: false },
    threads: { attribute: false },
    /** Group ids to names, for the invitation cards. */
    groupNames: { attribute: false },
    answering: { state: true },
    error: { state: true },
    putAway: { state: true },
  };
  declare api: ConsoleApi;
  declare strings: Strings;
  declare me: string;
  declare invitations: ChatInvitationJson[];
  declare threads: ConsultThread[];
  declare groupNames: ReadonlyMap<string, string>;
  declare answering: string;
  declare error: string;
  /** Threads put away here (until a new note comes in them). */
  declare putAway: ReadonlyMap<string, number>;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.me = '';
    this.invitations = [];
    this.threads = [];
    this.groupNames = new Map();
    this.answering = '';
    this.error = '';
    this.putAway = new Map();
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; }
      h2 { font-size: 14px; margin: 12px 0 6px; }
      ul { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
      .invite { border: 1px solid #9cc3f5; background: #f1f7ff; border-radius: 8px; padding: 8px; display: flex; flex-direction: column; gap: 6px; }
      .note { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 13px; border-left: 3px solid #9cc3f5; padding-left: 6px; }
      .asked { display: flex; flex-direction: column; gap: 4px; }
      .asked header { display: flex; align-items: center; gap: 6px; font-size: 12px; }
      .asked header .grow { flex: 1; }
    `,
  ];

  private async answer(invitation: ChatInvitationJson, accept: boolean) {
    this.answering = invitation.conversationId;
    this.error = '';
    try {
      await this.api.answerInvitation(invitation.conversationId, accept ? 'accept' : 'decline');
      this.dispatchEvent(composedEvent(ConsoleEvent.invitationAnswered, { conversationId: invitation.conversationId, accepted: accept }));
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : String(err);
      // Gone meanwhile (closed, transferred): the list is refreshed without it.
      if (err instanceof ApiError && err.status === 409) this.dispatchEvent(composedEvent(ConsoleEvent.invitationAnswered, { conversationId: invitation.conversationId, accepted: false }));
    } finally {
      this.answering = '';
    }
  }

  private hide(thread: ConsultThread) {
    this.putAway = new Map(this.putAway).set(thread.conversationId, thread.notes.at(-1)?.id ?? 0);
  }

  override render() {
    const s = this.strings;
    const t = s.teamwork;
    const threads = this.threads.filter((th) => (th.notes.at(-1)?.id ?? 0) > (this.putAway.get(th.conversationId) ?? -1));
    if (this.invitations.length === 0 && threads.length === 0) return html``;
    return html`<section aria-labelledby="requests-h" data-testid="colleague-requests">
      <h2 id="requests-h">${t.requests} <span class="badge">${this.invitations.length + threads.length}</span></h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <ul>
        ${this.invitations.map(
          (i) => html`<li class="invite" data-testid="chat-invitation" data-conversation-id=${i.conversationId}>
            <strong>${t.invitation(i.from.displayName)}</strong>
            <div class="row">
              <span class="tag">${i.lang === 'en' ? 'EN' : '中'}</span>
              ${i.group ? html`<span class="tag">${this.groupNames.get(i.group) ?? i.group}</span>` : ''}
              ${i.owner.id !== i.from.id ? html`<span class="muted">${t.owner}: ${i.owner.displayName}</span>` : ''}
              <span class="muted">${formatTime(i.invitedAt)}</span>
            </div>
            ${i.note ? html`<div class="note">${i.note}</div>` : ''}
            <div class="row" style="justify-content:flex-end">
              <button data-testid="invitation-decline" ?disabled=${this.answering !== ''} @click=${() => void this.answer(i, false)}>${t.decline}</button>
              <button class="primary" data-testid="invitation-accept" ?disabled=${this.answering !== ''} @click=${() => void this.answer(i, true)}>${t.accept}</button>
            </div>
          </li>`,
        )}
        ${threads.map((thread) => {
          const asker = [...thread.notes].reverse().find((n) => n.author.id !== this.me)?.author.displayName ?? '';
          return html`<li class="asked" data-testid="consult-thread" data-conversation-id=${thread.conversationId}>
            <header><strong>${t.asked(asker)}</strong><span class="muted">${t.chat} ${thread.conversationId.slice(0, 8)}</span><span class="grow"></span>
              <button class="link" @click=${() => this.hide(thread)} aria-label=${t.hide}>×</button></header>
            <console-consult-panel .api=${this.api} .strings=${s} conversationId=${thread.conversationId} .notes=${thread.notes} me=${this.me} .arrived=${thread.arrived} asked></console-consult-panel>
          </li>`;
        })}
      </ul>
    </section>`;
  }
}

customElements.define('console-colleague-requests', ConsoleColleagueRequests);

declare global {
  interface HTMLElementTagNameMap {
    'console-colleague-requests': ConsoleColleagueRequests;
  }
}
