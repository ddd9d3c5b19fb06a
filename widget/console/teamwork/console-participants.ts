// <console-participants>: the strip under a chat's header naming the agents in it (its owner, colleagues who
// joined, colleagues invited and not yet answering), with the owner's "Invite colleague" and a colleague's "Leave".
import { LitElement, css, html } from 'lit';
import type { ConversationView } from '../console-api.ts';
import { consoleBase } from '../console-styles.ts';
import { STRINGS, type Strings } from '../console-strings.ts';
import { composedEvent, ConsoleEvent } from '../../shared/events.ts';
import { avatarStyles, renderAgentAvatar } from '../../shared/avatar.ts';

export class ConsoleParticipants extends LitElement {
  static override properties = {
    view: { attribute: false },
    strings: { attribute: false },
    me: { type: String },
    /** The signed-in agent is in the chat as a colleague (not its owner): offers Leave instead of Invite. */
    colleague: { type: Boolean },
    /** The chat is still being worked (held): the actions show. */
    active: { type: Boolean },
    /** Admins may invite into a chat they do not hold (as a supervisor). */
    admin: { type: Boolean },
    leaving: { state: true },
  };
  declare view: ConversationView | undefined;
  declare strings: Strings;
  declare me: string;
  declare colleague: boolean;
  declare active: boolean;
  declare admin: boolean;
  declare leaving: boolean;

  constructor() {
    super();
    this.strings = STRINGS.zh;
    this.me = '';
    this.colleague = false;
    this.active = false;
    this.admin = false;
    this.leaving = false;
  }

  static override styles = [
    consoleBase,
    avatarStyles,
    css`
      :host { display: block; }
      .strip { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; padding: 4px 12px; border-bottom: 1px solid var(--cs-border); background: #fafbfc; font-size: 12px; }
      .label { color: var(--cs-muted); }
      ul { display: contents; list-style: none; }
      li { display: inline-flex; align-items: center; gap: 4px; padding: 1px 8px 1px 2px; border-radius: 12px; background: #eef0f3; max-width: 100%; }
      li.pending { background: none; border: 1px dashed var(--cs-border); color: var(--cs-muted); }
      .avatar { width: 20px; height: 20px; font-size: 9px; }
      .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 14em; }
      .role { color: var(--cs-muted); }
      .grow { flex: 1; }
      button { min-height: 26px; padding: 2px 8px; font-size: 12px; }
      /* A phone keeps the strip to one row (it scrolls sideways): the transcript below needs the height. */
      @media (max-width: 720px) {
        .strip { flex-wrap: nowrap; overflow-x: auto; }
        .label, .grow { display: none; }
        li, button { flex: none; }
      }
    `,
  ];

  private leave() {
    if (!this.view) return;
    this.leaving = true;
    this.dispatchEvent(composedEvent(ConsoleEvent.leaveChat, { conversationId: this.view.id }));
  }

  /** A new view (the server's answer) ends the "Leaving…" state, whichever way it went. */
  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('view') || changed.has('active')) this.leaving = false;
  }

  override render() {
    const t = this.strings.teamwork;
    const view = this.view;
    const owner = view?.status === 'assigned' ? view.agent : undefined;
    const others = (view?.participants ?? []).filter((p) => p.state === 'joined' || p.state === 'invited');
    if (!owner && others.length === 0) return html``;
    const canInvite = this.active && !this.colleague && (owner?.id === this.me || this.admin);
    return html`<div class="strip" data-testid="participants" aria-label=${t.participants}>
      <span class="label">${t.participants}:</span>
      <ul>
        ${owner ? this.person(owner.id, owner.displayName, t.owner, false) : ''}
        ${others.map((p) => this.person(p.id, p.displayName, p.state === 'invited' ? t.pending : '', p.state === 'invited'))}
      </ul>
      <span class="grow"></span>
      ${canInvite ? html`<button data-testid="invite-colleague" aria-haspopup="dialog" @click=${() => this.view && this.dispatchEvent(composedEvent(ConsoleEvent.inviteColleague, { conversationId: this.view.id }))}>＋ ${t.invite}</button>` : ''}
      ${this.active && this.colleague
        ? html`<button data-testid="leave-chat" ?disabled=${this.leaving} @click=${this.leave}>${this.leaving ? t.leaving : t.leave}</button>`
        : ''}
    </div>`;
  }

  private person(id: string, name: string, role: string, pending: boolean) {
    const t = this.strings.teamwork;
    return html`<li class=${pending ? 'pending' : ''} data-testid="participant" data-agent-id=${id} data-state=${pending ? 'invited' : 'joined'}>
      ${renderAgentAvatar(name, id)}
      <span class="name">${name}${id === this.me ? t.you : ''}</span>
      ${role ? html`<span class="role">· ${role}</span>` : ''}
    </li>`;
  }
}

customElements.define('console-participants', ConsoleParticipants);

declare global {
  interface HTMLElementTagNameMap {
    'console-participants': ConsoleParticipants;
  }
}
