// <agent-console>: the agent's workplace at /agent: sign-in, status, the live queue, chats as tabs,
// history search, left messages, canned replies and (admins) agents and groups. This file is the element and
// its markup; the sign-in flow, the live events and the chat actions are controllers beside it.
import { LitElement, html, svg } from 'lit';
import { ConsoleApi, type Agent, type AgentGroup, type ProvinceOption, type AgentStatus, type QueueItem } from './console-api.ts';
import { ConsoleAlert } from './console-alert.ts';
import { ConsoleChatActions } from './console-chat-actions.ts';
import { noticeTag, type Notice } from './console-attention.ts';
import { ConsoleNotifier, type NotifyState } from './console-notifier.ts';
import { totalUnread, type ChatState } from './console-chats.ts';
import { ConsoleConnection } from './console-connection.ts';
import { formatDuration, provinceLabel } from './console-format.ts';
import type { ConsoleHost, Screen } from './console-host.ts';
import { ConsoleLive } from './console-live.ts';
import { keepLang, keepSound, storedLang, storedSound } from './console-prefs.ts';
import { ConsoleSession } from './console-session.ts';
import { consoleBase } from './console-styles.ts';
import { STRINGS, type ConsoleLang, type Strings } from './console-strings.ts';
import { agentConsoleStyles } from './agent-console-styles.ts';
import './screens/console-admin.ts';
import './console-block-counter.ts';
import './screens/console-canned.ts';
import './chat/console-chat-pane.ts';
import { ConsoleTeamwork } from './teamwork/console-teamwork.ts';
import './teamwork/console-colleague-requests.ts';
import './screens/console-history.ts';
import './screens/console-reports.ts';
import './screens/console-monitor.ts';
import './console-login.ts';
import './screens/console-tickets.ts';
import './screens/console-unanswered.ts';
import './screens/console-drafts.ts';
import './screens/console-visitors.ts';
import './screens/console-visitor-texts.ts';

const STATUSES: readonly AgentStatus[] = ['online', 'away', 'busy', 'invisible', 'offline'];

export class AgentConsole extends LitElement implements ConsoleHost {
  static override properties = {
    lang: { type: String, reflect: true },
    me: { state: true },
    checking: { state: true },
    notice: { state: true },
    screen: { state: true },
    queue: { state: true },
    chats: { state: true },
    order: { state: true },
    active: { state: true },
    myStatus: { state: true },
    presence: { state: true },
    names: { state: true },
    groups: { state: true },
    provinces: { state: true },
    colleagues: { state: true },
    toast: { state: true },
    now: { state: true },
    sound: { state: true },
    menuOpen: { state: true },
    notifyState: { state: true },
    phoneView: { state: true },
  };
  declare lang: ConsoleLang;
  declare me: Agent | undefined;
  declare checking: boolean;
  declare notice: string;
  declare screen: Screen;
  /** At 1180 px and below the screens' names fold into a menu behind one button; whether it is open. */
  declare menuOpen: boolean;
  declare queue: QueueItem[];
  declare chats: Map<string, ChatState>;
  /** Tab order of the chats (oldest first). */
  declare order: string[];
  declare active: string | undefined;
  declare myStatus: AgentStatus;
  declare presence: Map<string, AgentStatus>;
  /** Display names of agents by id (from views, and the admin list for admins). */
  declare names: Map<string, string>;
  declare groups: AgentGroup[];
  /** The server's province list: names for the ids queue items and chats carry. */
  declare provinces: ProvinceOption[];
  /** Every account, for admins (transfer targets with names); empty for agents. */
  declare colleagues: Array<{ id: string; displayName: string; disabled: boolean }>;
  declare toast: string;
  declare now: number;
  declare sound: boolean;
  /** Desktop notifications: on, off, blocked by the browser, or not available (the switch is hidden then). */
  declare notifyState: NotifyState;
  /** On a phone (720 px and below) the queue and the open chats take turns on the screen: which one shows. */
  declare phoneView: 'queue' | 'chats';

  readonly api = new ConsoleApi();
  private readonly alert = new ConsoleAlert();
  private readonly notifier = new ConsoleNotifier((notice) => this.openFromNotice(notice));
  private readonly connection: ConsoleConnection = new ConsoleConnection(this, {
    onEvent: (e) => {
      this.live.onEvent(e);
      this.teamwork.onEvent(e);
    },
    onSignedOut: () => this.session.signedOut(this.strings.sessionEnded),
    checkSession: () => this.session.stillSignedIn(),
  });
  private readonly live = new ConsoleLive(this, this.alert, {
    sessionEnded: () => this.session.signedOut(this.strings.sessionEnded),
    notify: (notice) => this.notifier.show(notice, this.strings.notify),
  });
  private readonly session: ConsoleSession = new ConsoleSession(this, { connection: this.connection, live: this.live, alert: this.alert });
  private readonly actions = new ConsoleChatActions(this, this.live);
  /** Colleagues in chats: invitations, participants, consults (issue 17). */
  private readonly teamwork = new ConsoleTeamwork(this, this.live, this.alert);
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') this.actions.markRead();
  };

  constructor() {
    super();
    this.lang = storedLang();
    this.me = undefined;
    this.checking = true;
    this.notice = '';
    this.screen = 'chats';
    this.menuOpen = false;
    this.queue = [];
    this.chats = new Map();
    this.order = [];
    this.active = undefined;
    this.myStatus = 'offline';
    this.presence = new Map();
    this.names = new Map();
    this.groups = [];
    this.provinces = [];
    this.colleagues = [];
    this.toast = '';
    this.now = Date.now();
    this.sound = storedSound();
    this.alert.sound = this.sound;
    this.notifyState = this.notifier.state;
    this.phoneView = 'queue';
  }

  get strings(): Strings {
    return STRINGS[this.lang] ?? STRINGS.zh;
  }

  static override styles = [consoleBase, agentConsoleStyles];

  override connectedCallback(): void {
    super.connectedCallback();
    // Any call answered 401 while signed in: the session ended (an editor's console has no stream to say so).
    this.api.onUnauthorized = () => {
      if (this.me) this.session.signedOut(this.strings.sessionEnded);
    };
    document.addEventListener('visibilitychange', this.onVisible);
    this.ticker = setInterval(() => {
      if (this.queue.length > 0) this.now = Date.now();
    }, 1000);
    void this.session.check();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisible);
    clearInterval(this.ticker);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // A phone shows the chat once one is opened (taken, assigned, picked, a notification clicked), the queue once none is left.
    if (changed.has('active') && this.active && this.active !== changed.get('active')) this.phoneView = 'chats';
    if (changed.has('order') && this.order.length === 0) this.phoneView = 'queue';
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    // The title counts what the tabs' badges count; the chat on screen needs no notification any more.
    if (changed.has('chats')) this.alert.showUnread(totalUnread(this.chats));
    if (this.active && this.screen === 'chats' && document.visibilityState === 'visible') this.notifier.dismiss(noticeTag(this.active));
    if (changed.has('me')) {
      if (!this.me) this.notifier.dismissAll();
      else if (this.me.role !== 'editor') void this.notifier.askOnce().then(() => (this.notifyState = this.notifier.state));
    }
  }

  private async toggleNotify() {
    this.notifyState = await this.notifier.toggle();
    if (this.notifyState === 'blocked') this.toast = this.strings.notify.blocked;
  }

  /** A notification was clicked (the tab is focused already): its chat opens, or the queue shows the waiting one. */
  private openFromNotice(notice: Notice) {
    this.menuOpen = false;
    if (this.chats.has(notice.conversationId)) {
      this.actions.activate(notice.conversationId);
      return;
    }
    this.screen = 'chats';
    this.phoneView = 'queue';
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`[data-testid="queue-item"][data-conversation-id="${CSS.escape(notice.conversationId)}"] [data-testid="take"]`)?.focus(),
    );
  }

  private setLang(lang: ConsoleLang) {
    this.lang = lang;
    keepLang(lang);
  }

  private toggleSound() {
    this.sound = !this.sound;
    this.alert.sound = this.sound;
    keepSound(this.sound);
    if (this.sound) this.alert.beep();
  }

  /** Escape closes the folded menu and gives the focus back to its button. */
  private onNavKey(e: KeyboardEvent) {
    if (e.key !== 'Escape' || !this.menuOpen) return;
    this.menuOpen = false;
    this.renderRoot.querySelector<HTMLElement>('[data-testid="nav-menu"]')?.focus();
  }

  private onTabKey(e: KeyboardEvent) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = this.order.indexOf(this.active ?? '');
    const n = this.order.length;
    if (n === 0) return;
    const id = this.order[(i + (e.key === 'ArrowRight' ? 1 : n - 1)) % n]!;
    this.actions.activate(id);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[role='tab'][aria-selected='true']`)?.focus());
  }

  // ---- rendering ---------------------------------------------------------------------------

  override render() {
    const s = this.strings;
    if (this.checking) return html`<div class="empty" role="status">…</div>`;
    if (!this.me) {
      return html`${this.langSwitch()}<console-login .api=${this.api} .strings=${s} notice=${this.notice} @signed-in=${(e: CustomEvent<Agent>) => this.session.signedIn(e.detail)}></console-login>`;
    }
    const unread = totalUnread(this.chats);
    const editor = this.me.role === 'editor';
    const content: Array<[Screen, string]> = [['unanswered', s.unanswered], ['drafts', s.faqDraft.nav]];
    const screens: Array<[Screen, string]> = editor ? content : [
      ['chats', s.chats],
      ['history', s.history],
      ['tickets', s.tickets],
      ['canned', s.canned],
      ['visitors', s.visitors.nav],
      ...(this.me.role === 'admin' ? ([['admin', s.admin], ['monitor', s.monitor.nav], ['reports', s.report.nav], ['visitor-texts', s.visitorTexts.nav]] as Array<[Screen, string]>) : []),
      // Content work (the unanswered inbox, agents' answers saved as FAQ drafts): editors and admins.
      ...(this.me.role === 'admin' ? content : []),
    ];
    return html`<div class="shell">
      <header class=${this.menuOpen ? 'top menu-open' : 'top'}>
        <h1>${s.title}</h1>
        <button class="menu-toggle" data-testid="nav-menu" aria-controls="console-nav console-tools" aria-expanded=${this.menuOpen ? 'true' : 'false'}
          @click=${() => (this.menuOpen = !this.menuOpen)}>☰ ${s.menu}: ${screens.find(([id]) => id === this.screen)?.[1] ?? ''}</button>
        <nav id="console-nav" class=${this.menuOpen ? 'open' : ''} aria-label=${s.title} @keydown=${this.onNavKey}>
          ${screens.map(
            ([id, label]) => html`<button
              aria-current=${this.screen === id ? 'page' : 'false'}
              data-testid=${`nav-${id}`}
              @click=${() => {
                this.screen = id;
                this.menuOpen = false;
                this.actions.markRead();
              }}
            >
              ${label}${id === 'chats' && unread > 0 ? html` <span class="badge" aria-label=${`${unread} ${s.newMessage}`}>${unread}</span>` : ''}
            </button>`,
          )}
        </nav>
        <div class="tools" id="console-tools" data-testid="header-tools">
        ${editor
          ? html`<span class="me" data-testid="editor-note">${s.editorOnly}</span>`
          : html`<label class="row status-field"><span class="status-word">${s.status}</span>
                <select data-testid="status-select" .value=${this.myStatus} @change=${(e: Event) => void this.actions.setStatus((e.target as HTMLSelectElement).value as AgentStatus)}>
                  ${STATUSES.map((st) => html`<option value=${st} ?selected=${this.myStatus === st}>${s[st]}</option>`)}
                </select>
              </label>
              <console-block-counter .api=${this.api} .strings=${s}></console-block-counter>
              <button aria-pressed=${this.sound ? 'true' : 'false'} @click=${this.toggleSound} data-testid="sound-toggle" title=${s.sound}>${s.sound}: ${this.sound ? 'ON' : 'OFF'}</button>
              ${this.renderNotifyToggle()}`}
        ${this.langSwitch()}
        <span class="me">${this.me.displayName}</span>
        <button @click=${() => void this.session.logout()} data-testid="logout">${s.signOut}</button>
        </div>
      </header>
      ${this.connection.state === 'reconnecting' || this.connection.state === 'restarting'
        ? html`<div class="banner" role="status" data-testid="reconnecting">${this.connection.state === 'restarting' ? s.restarting : s.reconnecting}</div>`
        : ''}
      ${this.toast ? html`<div class="toast" role="alert" data-testid="toast"><span>${this.toast}</span><button class="link" @click=${() => (this.toast = '')} aria-label=${s.cancel}>×</button></div>` : ''}
      ${this.renderScreen()}
    </div>`;
  }

  /** The notifications switch: a bell, with its words beside it where the header has room (wide screens). */
  private renderNotifyToggle() {
    const s = this.strings.notify;
    const state = this.notifyState;
    if (state === 'unsupported') return '';
    const words = `${s.setting}: ${state === 'on' ? s.on : state === 'blocked' ? s.blockedState : s.off}`;
    return html`<button class="notify-toggle" aria-pressed=${state === 'on' ? 'true' : 'false'} aria-label=${words} data-testid="notify-toggle"
      title=${state === 'blocked' ? s.blocked : words} @click=${() => void this.toggleNotify()}>
      <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
        <path d="M6 9a6 6 0 0 1 12 0c0 6 2.5 8 2.5 8h-17S6 15 6 9" /><path d="M10 20.5a2.2 2.2 0 0 0 4 0" />
        ${state === 'on' ? '' : svg`<path d="M3 3l18 18" />`}
      </svg><span class="notify-text">${words}</span>
    </button>`;
  }

  /** A phone's two views, queue and chats, as a switch above them (hidden wider, where both show side by side). */
  private renderPhoneViews() {
    const s = this.strings;
    const invitations = this.teamwork.invitations.length;
    const unread = totalUnread(this.chats);
    const view = (id: 'queue' | 'chats', label: string, count: number, badge: unknown) => html`<button
      data-testid=${`phone-${id}`} aria-controls=${`${id === 'queue' ? 'queue' : 'chats'}-panel`} aria-pressed=${this.phoneView === id ? 'true' : 'false'}
      @click=${() => (this.phoneView = id)}>${label} <span class="tag">${count}</span>${badge}</button>`;
    return html`<div class="phone-views" role="group" aria-label=${s.phone.views}>
      ${view('queue', s.queue, this.queue.length, invitations > 0 ? html`<span class="badge" data-testid="phone-invitations" aria-label=${s.phone.invitations(invitations)}>${invitations}</span>` : '')}
      ${view('chats', s.chats, this.order.length, unread > 0 ? html`<span class="badge" aria-label=${s.phone.unread(unread)}>${unread}</span>` : '')}
    </div>`;
  }

  private langSwitch() {
    const other: ConsoleLang = this.lang === 'zh' ? 'en' : 'zh';
    return html`<button data-testid="lang-switch" lang=${other} @click=${() => this.setLang(other)} style=${this.me ? '' : 'position:absolute;top:8px;right:8px'}>
      ${other === 'en' ? 'English' : '中文'}
    </button>`;
  }

  private renderScreen() {
    const s = this.strings;
    // An editor has the content screens only, whatever screen was left selected.
    const screen = this.me?.role === 'editor' && this.screen !== 'unanswered' && this.screen !== 'drafts' ? 'unanswered' : this.screen;
    switch (screen) {
      case 'history':
        return html`<console-history class="screen" .api=${this.api} .strings=${s} .names=${this.names}></console-history>`;
      case 'tickets':
        return html`<console-tickets class="screen" .api=${this.api} .strings=${s}></console-tickets>`;
      case 'canned':
        return html`<console-canned class="screen" .api=${this.api} .strings=${s} .me=${this.me}></console-canned>`;
      case 'admin':
        return html`<console-admin class="screen" .api=${this.api} .strings=${s}></console-admin>`;
      case 'unanswered':
        return html`<console-unanswered class="screen" .api=${this.api} .strings=${s}></console-unanswered>`;
      case 'drafts':
        return html`<console-drafts class="screen" .api=${this.api} .strings=${s}></console-drafts>`;
      case 'reports':
        return html`<console-reports class="screen" .api=${this.api} .strings=${s}></console-reports>`;
      case 'visitors':
        return html`<console-visitors class="screen" .api=${this.api} .strings=${s}></console-visitors>`;
      case 'visitor-texts':
        return html`<console-visitor-texts class="screen" .api=${this.api} .strings=${s}></console-visitor-texts>`;
      case 'monitor':
        return html`<console-monitor class="screen" .api=${this.api} .strings=${s} .connection=${this.connection}></console-monitor>`;
      default:
        return this.renderChats();
    }
  }

  private renderChats() {
    const s = this.strings;
    const active = this.active ? this.chats.get(this.active) : undefined;
    const elapsed = Math.max(0, (this.now - this.live.queueFetchedAt) / 1000);
    return html`<div class=${`body phone-${this.phoneView}`}>
      ${this.renderPhoneViews()}
      <section class="side" id="queue-panel" aria-labelledby="queue-h">
        <h2 id="queue-h">${s.queue} <span class="tag">${this.queue.length}</span></h2>
        ${this.queue.length === 0
          ? html`<p class="muted">${s.queueEmpty}</p>`
          : html`<ol>
              ${this.queue.map((q, i) => {
                const groupName = q.group ? (this.groups.find((g) => g.id === q.group)?.name ?? q.group) : '';
                // Numbered in the list's order (every group's chats, the longest waiting first): two groups'
                // first chats are not both "#1". The place within the group, which the visitor is told, is in the title.
                return html`<li class="qi" data-testid="queue-item" data-conversation-id=${q.id}>
                  <div class="row">
                    <strong data-testid="queue-order" title=${s.queueOrder(i + 1, q.position, groupName)}>#${i + 1}</strong>
                    <span class="tag">${s.reasons[q.reason ?? ''] ?? q.reason ?? ''}</span>
                    <span class="tag">${q.lang === 'en' ? 'EN' : '中'}</span>
                    ${groupName ? html`<span class="tag" data-testid="queue-group">${groupName}</span>` : ''}
                    ${q.province ? html`<span class="tag" data-testid="queue-province">${provinceLabel(this.provinces, q.province, s.locale)}</span>` : ''}
                  </div>
                  ${q.preview ? html`<div class="preview">${q.preview}</div>` : ''}
                  <div class="row" style="justify-content:space-between">
                    <span class="muted wait">${s.waited} ${formatDuration(q.waitingSeconds + elapsed)}</span>
                    <button class="primary" data-testid="take" @click=${() => void this.actions.take(q.id)} ?disabled=${this.live.taking.has(q.id)}>${s.take}</button>
                  </div>
                </li>`;
              })}
            </ol>`}
        <console-colleague-requests
          .api=${this.api}
          .strings=${s}
          me=${this.me?.id ?? ''}
          .invitations=${this.teamwork.invitations}
          .threads=${this.teamwork.threads()}
          .groupNames=${new Map(this.groups.map((g) => [g.id, g.name]))}
          @invitation-answered=${this.teamwork.onInvitationAnswered}
          @consult-sent=${this.teamwork.onConsultSent}
        ></console-colleague-requests>
      </section>
      <section class="work" id="chats-panel">
        ${this.order.length === 0
          ? html`<p class="empty">${s.noChats}</p>`
          : html`<div role="tablist" aria-label=${s.chats} @keydown=${this.onTabKey}>
                ${this.order.map((id) => {
                  const chat = this.chats.get(id);
                  const selected = id === this.active;
                  const title = chat?.messages.find((m) => m.author === 'visitor')?.text ?? id.slice(0, 8);
                  return html`<button
                    role="tab"
                    id=${`tab-${id}`}
                    class=${chat?.held ? '' : 'ended'}
                    aria-selected=${selected ? 'true' : 'false'}
                    aria-controls="chat-panel"
                    tabindex=${selected ? '0' : '-1'}
                    data-testid="chat-tab"
                    data-conversation-id=${id}
                    @click=${() => this.actions.activate(id)}
                  >
                    ${chat && !chat.held ? html`<span class="tag ended-tag" data-testid="tab-ended">${s.endedTag[chat.ended?.why ?? 'closed'] ?? s.endedTag.closed}</span>` : ''}
                    <span class="tab-title">${chat?.visitorTyping ? '✎ ' : ''}${title.slice(0, 16)}</span>
                    ${chat && chat.unread > 0 ? html`<span class="badge" data-testid="unread">${chat.unread}</span>` : ''}
                  </button>`;
                })}
              </div>
              <div role="tabpanel" id="chat-panel" aria-labelledby=${this.active ? `tab-${this.active}` : ''}>
                ${active
                  ? html`<console-chat-pane
                      .api=${this.api}
                      .chat=${active}
                      .strings=${s}
                      .names=${this.names}
                      .groups=${this.groups}
                      .provinces=${this.provinces}
                      .agents=${this.actions.transferAgents()}
                      ?admin=${this.me?.role === 'admin'}
                      me=${this.me?.id ?? ''}
                      .consultNotes=${this.teamwork.notesFor(active.id)}
                      .consultArrived=${this.teamwork.arrivedIn(active.id)}
                      @consult-sent=${this.teamwork.onConsultSent}
                      @colleague-invited=${this.teamwork.onColleagueInvited}
                      @leave-chat=${this.teamwork.onLeaveChat}
                      @message-sent=${this.actions.onMessageSent}
                      @chat-closed=${this.actions.onChatClosed}
                      @transferred=${this.actions.onTransferred}
                      @chat-dismiss=${this.actions.onDismiss}
                    ></console-chat-pane>`
                  : ''}
              </div>`}
      </section>
    </div>`;
  }
}

customElements.define('agent-console', AgentConsole);

declare global {
  interface HTMLElementTagNameMap {
    'agent-console': AgentConsole;
  }
}