// <agent-console>: the agent's workplace at /agent: sign-in, status, the live queue, chats as tabs,
// history search, left messages, canned replies and (admins) agents and groups.
import { LitElement, css, html } from 'lit';
import { ApiError, ConsoleApi, type Agent, type AgentGroup, type ProvinceOption, type AgentStatus, type QueueItem, type ViewMessage } from './console-api.ts';
import { ConsoleAlert } from './console-alert.ts';
import {
  nextActive,
  totalUnread,
  withEnded,
  withMessage,
  withRead,
  withTyping,
  withView,
  without,
  type ChatState,
} from './console-chats.ts';
import { ConsoleConnection, type ConsoleWireEvent } from './console-connection.ts';
import { formatDuration, provinceLabel } from './console-format.ts';
import { consoleBase } from './console-styles.ts';
import { STRINGS, type ConsoleLang, type Strings } from './console-strings.ts';
import type { TransferAgentOption } from './chat/console-transfer-dialog.ts';
import './screens/console-admin.ts';
import './console-block-counter.ts';
import './screens/console-canned.ts';
import './chat/console-chat-pane.ts';
import './screens/console-history.ts';
import './screens/console-reports.ts';
import './screens/console-monitor.ts';
import './console-login.ts';
import './screens/console-tickets.ts';
import './screens/console-unanswered.ts';
import './screens/console-drafts.ts';
import './screens/console-visitors.ts';

type Screen = 'chats' | 'history' | 'tickets' | 'canned' | 'admin' | 'reports' | 'unanswered' | 'monitor' | 'drafts' | 'visitors';

const LANG_KEY = 'agent-console.lang';
const SOUND_KEY = 'agent-console.sound';
/** A visitor "typing" with no update for this long is shown as stopped. Range 3000-30000 ms; default 8000. */
const TYPING_STALE_MS = 8000;
/** Queue refetches after queue_changed are merged over this window. Range 0-2000 ms; default 250. */
const QUEUE_DEBOUNCE_MS = 250;
const STATUSES: readonly AgentStatus[] = ['online', 'away', 'busy', 'offline'];

function storedLang(): ConsoleLang {
  try {
    const v = localStorage.getItem(LANG_KEY);
    if (v === 'zh' || v === 'en') return v;
  } catch {
    // Storage may be off (privacy mode): fall through.
  }
  return navigator.language?.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

export class AgentConsole extends LitElement {
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
  };
  declare lang: ConsoleLang;
  declare me: Agent | undefined;
  declare checking: boolean;
  declare notice: string;
  declare screen: Screen;
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

  readonly api = new ConsoleApi();
  private readonly alert = new ConsoleAlert();
  private readonly connection = new ConsoleConnection(this, {
    onEvent: (e) => this.onEvent(e),
    onSignedOut: () => this.signedOut(this.strings.sessionEnded),
    checkSession: async () => {
      try {
        await this.api.me();
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return false;
        throw err;
      }
    },
  });
  private queueFetchedAt = Date.now();
  private queueTimer: ReturnType<typeof setTimeout> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Chats this console is taking itself: no "new chat" alarm for those. */
  private taking = new Set<string>();
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') this.markRead();
  };

  constructor() {
    super();
    this.lang = storedLang();
    this.me = undefined;
    this.checking = true;
    this.notice = '';
    this.screen = 'chats';
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
    let sound = true;
    try {
      sound = localStorage.getItem(SOUND_KEY) !== 'off';
    } catch {
      // default on
    }
    this.sound = sound;
    this.alert.sound = sound;
  }

  get strings(): Strings {
    return STRINGS[this.lang] ?? STRINGS.zh;
  }

  static override styles = [
    consoleBase,
    css`
      :host { display: block; background: var(--cs-bg); }
      /* The layout lives on an inner box: a page's CSS for the agent-console element itself cannot break it. */
      .shell { display: flex; flex-direction: column; height: 100vh; height: 100dvh; }
      .screen { flex: 1; min-height: 0; overflow: auto; }
      header.top {
        display: flex; align-items: center; gap: 12px; padding: 6px 12px; background: var(--cs-panel);
        border-bottom: 3px solid var(--cs-primary); flex-wrap: wrap;
      }
      header.top h1 { font-size: 16px; margin: 0; color: var(--cs-primary); }
      nav { display: flex; gap: 4px; flex: 1; flex-wrap: wrap; }
      nav button { border: none; background: none; border-radius: 6px; white-space: nowrap; }
      nav button[aria-current='page'] { background: var(--cs-agent); color: var(--cs-primary-dark); font-weight: 600; }
      .banner { padding: 4px 12px; background: #fff4e5; color: #8a4b00; font-size: 13px; }
      .toast { padding: 4px 12px; background: #fdecea; color: #b3261e; font-size: 13px; display: flex; justify-content: space-between; }
      .body { flex: 1; min-height: 0; display: grid; grid-template-columns: 280px minmax(0, 1fr); }
      .body.single { grid-template-columns: minmax(0, 1fr); }
      .side { border-right: 1px solid var(--cs-border); background: var(--cs-panel); overflow-y: auto; padding: 10px; }
      .side ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
      .qi { border: 1px solid var(--cs-border); border-radius: 8px; padding: 8px; display: flex; flex-direction: column; gap: 4px; }
      .qi .preview { overflow-wrap: anywhere; }
      .qi .wait { font-variant-numeric: tabular-nums; }
      .work { display: flex; flex-direction: column; min-height: 0; }
      [role='tablist'] { display: flex; gap: 2px; padding: 6px 8px 0; border-bottom: 1px solid var(--cs-border); overflow-x: auto; background: var(--cs-panel); }
      [role='tab'] { border: 1px solid var(--cs-border); border-bottom: none; border-radius: 8px 8px 0 0; white-space: nowrap; max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
      [role='tab'][aria-selected='true'] { background: var(--cs-bg); font-weight: 600; border-color: var(--cs-primary); }
      [role='tab'].ended { color: var(--cs-muted); }
      [role='tabpanel'] { flex: 1; min-height: 0; display: flex; flex-direction: column; }
      /* The pane fills the panel however short the transcript (a percentage height alone left it content-sized). */
      [role='tabpanel'] > console-chat-pane { flex: 1; min-height: 0; }
      .empty { padding: 32px; color: var(--cs-muted); text-align: center; }
      .me { font-size: 13px; }
      @media (max-width: 720px) {
        nav { order: 3; flex-basis: 100%; overflow-x: auto; flex-wrap: nowrap; }
        /* minmax(0, ...): a wide row inside (tabs, a long preview) scrolls in its box instead of widening the page. */
        .body { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto minmax(0, 1fr); }
        .side { max-height: 30vh; border-right: none; border-bottom: 1px solid var(--cs-border); }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    // Any call answered 401 while signed in: the session ended (an editor's console has no stream to say so).
    this.api.onUnauthorized = () => {
      if (this.me) this.signedOut(this.strings.sessionEnded);
    };
    document.addEventListener('visibilitychange', this.onVisible);
    this.ticker = setInterval(() => {
      if (this.queue.length > 0) this.now = Date.now();
    }, 1000);
    void this.checkSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisible);
    clearInterval(this.ticker);
    clearTimeout(this.queueTimer);
  }

  private async checkSession() {
    try {
      const { agent } = await this.api.me();
      this.signedIn(agent);
    } catch {
      this.me = undefined;
    } finally {
      this.checking = false;
    }
  }

  private signedIn(agent: Agent) {
    this.me = agent;
    this.notice = '';
    this.names = new Map(this.names).set(agent.id, agent.displayName);
    if (agent.role === 'editor') {
      // Content work only: no live stream, presence, queue or colleagues (the server refuses them with 403).
      this.screen = 'unanswered';
      return;
    }
    this.connection.start();
    void this.loadGroups();
    void this.refreshQueue();
    void this.loadColleagues();
  }

  private signedOut(notice = '') {
    this.connection.stop();
    this.me = undefined;
    this.notice = notice;
    this.chats = new Map();
    this.order = [];
    this.active = undefined;
    this.queue = [];
    this.presence = new Map();
    this.screen = 'chats';
    this.alert.stopFlash();
  }

  private async logout() {
    try {
      await this.api.logout();
    } catch {
      // Signing out never fails for the user: the cookie is gone or useless either way.
    }
    this.signedOut();
  }

  private async loadGroups() {
    try {
      const { groups, provinces } = await this.api.groups();
      this.groups = groups;
      this.provinces = provinces ?? [];
    } catch {
      // The transfer dialog shows no groups then.
    }
  }

  private async loadColleagues() {
    try {
      const { colleagues } = await this.api.colleagues();
      this.colleagues = colleagues.map((c) => ({ id: c.id, displayName: c.displayName, disabled: false }));
      const names = new Map(this.names);
      const presence = new Map(this.presence);
      for (const c of colleagues) {
        names.set(c.id, c.displayName);
        // A snapshot for agents already online before this console connected; the stream keeps it current.
        if (!presence.has(c.id)) presence.set(c.id, c.status);
      }
      this.names = names;
      this.presence = presence;
    } catch {
      // The list failed: transfers to groups still work, and presence events fill the list in.
    }
  }

  private scheduleQueue() {
    clearTimeout(this.queueTimer);
    this.queueTimer = setTimeout(() => void this.refreshQueue(), QUEUE_DEBOUNCE_MS);
  }

  private async refreshQueue() {
    try {
      const { conversations } = await this.api.queue();
      this.queue = conversations;
      this.queueFetchedAt = Date.now();
      this.now = this.queueFetchedAt;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.signedOut(this.strings.sessionEnded);
    }
  }

  private showError(err: unknown) {
    this.toast = err instanceof ApiError ? err.message : String(err);
  }

  // ---- live events -------------------------------------------------------------------------

  private onEvent(e: ConsoleWireEvent) {
    const me = this.me;
    if (!me) return;
    switch (e.event) {
      case 'ready':
        void this.sync(e.data.conversations);
        void this.refreshQueue();
        void this.api.status().then((r) => (this.myStatus = r.status)).catch(() => undefined);
        break;
      case 'queue_changed':
        this.scheduleQueue();
        break;
      case 'assigned':
        if (e.data.agentId === me.id) void this.loadChat(e.data.conversationId, true);
        break;
      case 'message': {
        const { conversationId, ...message } = e.data;
        const looking = this.isLooking(conversationId);
        const next = withMessage(this.chats, conversationId, message as ViewMessage, looking);
        if (next) {
          this.chats = next;
          if (message.author === 'visitor' && !looking) this.alert.flash(this.strings.newMessage);
        }
        break;
      }
      case 'typing':
        this.setTyping(e.data.conversationId, e.data.typing);
        break;
      case 'status': {
        const { conversationId, status, agent } = e.data;
        if (status === 'assigned' && agent?.id === me.id) {
          if (!this.chats.get(conversationId)?.held) void this.loadChat(conversationId, false);
        } else if (this.chats.get(conversationId)?.held) {
          this.chats = withEnded(this.chats, conversationId, { why: status === 'closed' ? 'closed' : status === 'queued' ? 'requeued' : 'transferred' }, status);
        }
        break;
      }
      case 'transfer':
        if (e.data.toAgent !== me.id && this.chats.get(e.data.conversationId)?.held) {
          this.chats = withEnded(this.chats, e.data.conversationId, { why: 'transferred' });
        }
        break;
      case 'closed':
        if (this.chats.has(e.data.conversationId)) {
          this.chats = withEnded(this.chats, e.data.conversationId, { why: 'closed', by: e.data.by }, 'closed');
          void this.refreshView(e.data.conversationId);
        }
        break;
      case 'presence':
        this.presence = new Map(this.presence).set(e.data.agentId, e.data.status);
        if (e.data.agentId === me.id) this.myStatus = e.data.status;
        break;
      default:
        break;
    }
  }

  private isLooking(conversationId: string): boolean {
    return this.screen === 'chats' && this.active === conversationId && document.visibilityState === 'visible';
  }

  private setTyping(conversationId: string, typing: boolean) {
    this.chats = withTyping(this.chats, conversationId, typing);
    clearTimeout(this.typingTimers.get(conversationId));
    if (typing) {
      this.typingTimers.set(
        conversationId,
        setTimeout(() => (this.chats = withTyping(this.chats, conversationId, false)), TYPING_STALE_MS),
      );
    }
  }

  /** After (re)connecting: load the chats the server says we hold; refresh those we thought we held. */
  private async sync(held: string[]) {
    for (const id of held) if (!this.chats.get(id)?.held) await this.loadChat(id, false);
    for (const [id, chat] of this.chats) if (chat.held && !held.includes(id)) await this.refreshView(id);
  }

  private rememberNames(view: { agent?: { id: string; displayName: string }; transfers: Array<{ from?: { id: string; displayName: string }; toAgent?: { id: string; displayName: string } }> }) {
    const names = new Map(this.names);
    const add = (a?: { id: string; displayName: string }) => a && names.set(a.id, a.displayName);
    add(view.agent);
    for (const t of view.transfers) {
      add(t.from);
      add(t.toAgent);
    }
    this.names = names;
  }

  private async loadChat(id: string, announce: boolean) {
    const me = this.me;
    if (!me) return;
    try {
      const view = await this.api.view(id);
      this.rememberNames(view);
      const isNew = !this.chats.has(id);
      this.chats = withView(this.chats, view, me.id);
      if (!this.order.includes(id)) this.order = [...this.order, id];
      if (!this.active) this.active = id;
      if (announce && isNew && !this.taking.has(id)) {
        this.alert.beep();
        this.alert.flash(this.strings.newChat);
      }
    } catch (err) {
      this.showError(err);
    }
  }

  private async refreshView(id: string) {
    const me = this.me;
    if (!me) return;
    try {
      const view = await this.api.view(id);
      this.chats = withView(this.chats, view, me.id);
    } catch {
      // Gone or no longer visible to us: leave the tab as it is.
    }
  }

  // ---- user actions ------------------------------------------------------------------------

  private async take(id: string) {
    const me = this.me;
    if (!me) return;
    this.taking.add(id);
    this.toast = '';
    try {
      const view = await this.api.take(id);
      this.rememberNames(view);
      this.chats = withView(this.chats, view, me.id);
      if (!this.order.includes(id)) this.order = [...this.order, id];
      this.activate(id);
    } catch (err) {
      this.showError(err);
    } finally {
      this.taking.delete(id);
      void this.refreshQueue();
    }
  }

  private activate(id: string) {
    this.active = id;
    this.screen = 'chats';
    this.chats = withRead(this.chats, id);
  }

  private markRead() {
    if (this.active && this.screen === 'chats') this.chats = withRead(this.chats, this.active);
  }

  private async setStatus(status: AgentStatus) {
    try {
      this.myStatus = (await this.api.setStatus(status)).status;
    } catch (err) {
      this.showError(err);
    }
  }

  private setLang(lang: ConsoleLang) {
    this.lang = lang;
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      // not kept
    }
  }

  private toggleSound() {
    this.sound = !this.sound;
    this.alert.sound = this.sound;
    try {
      localStorage.setItem(SOUND_KEY, this.sound ? 'on' : 'off');
    } catch {
      // not kept
    }
    if (this.sound) this.alert.beep();
  }

  private onMessageSent(e: CustomEvent<{ conversationId: string; message: ViewMessage }>) {
    const next = withMessage(this.chats, e.detail.conversationId, e.detail.message, true);
    if (next) this.chats = next;
  }

  private onChatClosed(e: CustomEvent<{ conversationId: string }>) {
    this.chats = withEnded(this.chats, e.detail.conversationId, { why: 'closed', by: 'agent' }, 'closed');
    void this.refreshView(e.detail.conversationId);
  }

  private onTransferred(e: CustomEvent<{ conversationId: string }>) {
    this.chats = withEnded(this.chats, e.detail.conversationId, { why: 'transferred' });
    void this.refreshView(e.detail.conversationId);
  }

  private onDismiss(e: CustomEvent<{ conversationId: string }>) {
    const id = e.detail.conversationId;
    const next = this.active === id ? nextActive(this.order, id) : this.active;
    this.order = this.order.filter((x) => x !== id);
    this.chats = without(this.chats, id);
    this.active = next;
    if (next) this.chats = withRead(this.chats, next);
  }

  private onTabKey(e: KeyboardEvent) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = this.order.indexOf(this.active ?? '');
    const n = this.order.length;
    if (n === 0) return;
    const id = this.order[(i + (e.key === 'ArrowRight' ? 1 : n - 1)) % n]!;
    this.activate(id);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[role='tab'][aria-selected='true']`)?.focus());
  }

  private transferAgents(): TransferAgentOption[] {
    const me = this.me;
    const list = new Map<string, TransferAgentOption>();
    // Every enabled colleague (GET /api/agent/colleagues), with presence kept current by the stream.
    for (const a of this.colleagues) {
      if (a.id !== me?.id && !a.disabled) list.set(a.id, { id: a.id, name: a.displayName, status: this.presence.get(a.id) ?? 'offline' });
    }
    for (const [id, status] of this.presence) {
      if (id !== me?.id && !list.has(id)) list.set(id, { id, name: this.names.get(id) ?? id.slice(0, 8), status });
    }
    return [...list.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  // ---- rendering ---------------------------------------------------------------------------

  override render() {
    const s = this.strings;
    if (this.checking) return html`<div class="empty" role="status">…</div>`;
    if (!this.me) {
      return html`${this.langSwitch()}<console-login .api=${this.api} .strings=${s} notice=${this.notice} @signed-in=${(e: CustomEvent<Agent>) => this.signedIn(e.detail)}></console-login>`;
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
      ...(this.me.role === 'admin' ? ([['admin', s.admin], ['monitor', s.monitor.nav], ['reports', s.report.nav]] as Array<[Screen, string]>) : []),
      // Content work (the unanswered inbox, agents' answers saved as FAQ drafts): editors and admins.
      ...(this.me.role === 'admin' ? content : []),
    ];
    return html`<div class="shell">
      <header class="top">
        <h1>${s.title}</h1>
        <nav aria-label=${s.title}>
          ${screens.map(
            ([id, label]) => html`<button
              aria-current=${this.screen === id ? 'page' : 'false'}
              data-testid=${`nav-${id}`}
              @click=${() => {
                this.screen = id;
                this.markRead();
              }}
            >
              ${label}${id === 'chats' && unread > 0 ? html` <span class="badge" aria-label=${`${unread} ${s.newMessage}`}>${unread}</span>` : ''}
            </button>`,
          )}
        </nav>
        ${editor
          ? html`<span class="me" data-testid="editor-note">${s.editorOnly}</span>`
          : html`<label class="row">${s.status}
                <select data-testid="status-select" .value=${this.myStatus} @change=${(e: Event) => void this.setStatus((e.target as HTMLSelectElement).value as AgentStatus)}>
                  ${STATUSES.map((st) => html`<option value=${st} ?selected=${this.myStatus === st}>${s[st]}</option>`)}
                </select>
              </label>
              <console-block-counter .api=${this.api} .strings=${s}></console-block-counter>
              <button aria-pressed=${this.sound ? 'true' : 'false'} @click=${this.toggleSound} data-testid="sound-toggle" title=${s.sound}>${s.sound}: ${this.sound ? 'ON' : 'OFF'}</button>`}
        ${this.langSwitch()}
        <span class="me">${this.me.displayName}</span>
        <button @click=${() => void this.logout()} data-testid="logout">${s.signOut}</button>
      </header>
      ${this.connection.state === 'reconnecting' || this.connection.state === 'restarting'
        ? html`<div class="banner" role="status" data-testid="reconnecting">${this.connection.state === 'restarting' ? s.restarting : s.reconnecting}</div>`
        : ''}
      ${this.toast ? html`<div class="toast" role="alert" data-testid="toast"><span>${this.toast}</span><button class="link" @click=${() => (this.toast = '')} aria-label=${s.cancel}>×</button></div>` : ''}
      ${this.renderScreen()}
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
      case 'monitor':
        return html`<console-monitor class="screen" .api=${this.api} .strings=${s} .connection=${this.connection}></console-monitor>`;
      default:
        return this.renderChats();
    }
  }

  private renderChats() {
    const s = this.strings;
    const active = this.active ? this.chats.get(this.active) : undefined;
    const elapsed = Math.max(0, (this.now - this.queueFetchedAt) / 1000);
    return html`<div class="body">
      <section class="side" aria-labelledby="queue-h">
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
                    <button class="primary" data-testid="take" @click=${() => void this.take(q.id)} ?disabled=${this.taking.has(q.id)}>${s.take}</button>
                  </div>
                </li>`;
              })}
            </ol>`}
      </section>
      <section class="work">
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
                    @click=${() => this.activate(id)}
                  >
                    ${chat?.visitorTyping ? '✎ ' : ''}${title.slice(0, 16)}
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
                      .agents=${this.transferAgents()}
                      ?admin=${this.me?.role === 'admin'}
                      @message-sent=${this.onMessageSent}
                      @chat-closed=${this.onChatClosed}
                      @transferred=${this.onTransferred}
                      @chat-dismiss=${this.onDismiss}
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
