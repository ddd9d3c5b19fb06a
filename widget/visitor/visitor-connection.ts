// The widget's server connection (a Lit reactive controller): sending, the live stream with resume, and chat state.
import { pageAddress } from './page-address.ts';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VisitorMessageData, VisitorState, VisitorWireEvent } from '../../handoff/http/wire.ts';
import { ApiError, createVisitorApi, isVisitorBlocked, type ChatReply, type HandoffReply, type VisitorApi } from './visitor-api.ts';
import type { Lang } from './visitor-i18n.ts';
import { newClientMessageId, sendWithRetry, type SendRetryOptions } from '../shared/send-with-retry.ts';
import { LiveStream } from './live-stream.ts';
import { newVisitorId, readSaved, storageKey, writeSaved, type SavedState } from './visitor-storage.ts';

export type Author = VisitorMessageData['author'];
export type ChatStatus = 'none' | VisitorState['status'];

export interface ChatItem {
  /** Unique in the list: `m<id>` for stored messages, `l<n>` for local ones. */
  key: string;
  /** Stored messages only. */
  id?: number;
  author: Author;
  text: string;
  createdAt: string;
  /** Who wrote an agent message, as far as the widget knows. */
  agentName?: string;
  /** Visitor messages not stored yet. */
  state?: 'sending' | 'failed';
  /** Why sending failed (shown with the retry button). */
  error?: ErrorKey;
  /** Sent with the message in an existing conversation; kept for the retry button, so a repeat is stored once. */
  clientMessageId?: string;
  /**
   * The choices a bot reply offered (a clarify's entries, the province question's provinces): they stay
   * with the message that asked, so its question never stands empty once the chat has moved on.
   */
  suggestions?: Suggestion[];
}

export interface Suggestion {
  entryId: string;
  question: string;
}

export interface ConnectionOptions {
  server: () => string;
  /** The language when the visitor has not chosen one. */
  defaultLang: () => Lang;
  /** The visitor's home province id as the embedding page gives it, sent with the first message. */
  province?: () => string | undefined;
  /** Automatic retries of a message in an existing conversation (defaults in send-with-retry.ts). */
  sendRetry?: Partial<SendRetryOptions>;
}

/** Visitor typing: "typing" is re-sent at most this often, "stopped" after this long without a key. */
const TYPING_REPEAT_MS = 4_000;
const TYPING_IDLE_MS = 3_000;
/** An agent typing indicator nobody switched off fades after this long. */
const AGENT_TYPING_TIMEOUT_MS = 15_000;

export type ErrorKey = 'errorGeneric' | 'tooMany';

export class VisitorConnection implements ReactiveController {
  items: ChatItem[] = [];
  status: ChatStatus = 'none';
  agentName: string | undefined;
  queue: { position: number; etaSeconds?: number } | undefined;
  agentTyping = false;
  leaveMessage: ChatReply['leaveMessage'] | undefined;
  ratingDue = false;
  lang: Lang = 'zh';
  online = true;
  /** The live stream failed and is being retried (not set during the first connect). */
  reconnecting = false;
  /** The server said it is restarting (`server_restarting`): a calm notice until the stream is back. */
  restarting = false;
  /** A transient problem to show (a key of the strings table). */
  error: ErrorKey | undefined;
  /** The stored history has been loaded (what follows is new and worth announcing). */
  historyReady = false;
  /** The newest message to announce in the live region. */
  announcement: ChatItem | undefined;
  /** The highest message id the visitor has seen with the panel open. */
  seenId = 0;
  /**
   * The server refused this visitor (403 `visitor_blocked`): the widget shows a calm notice and sends nothing
   * more. Not saved: after a reload the next message asks the server again (the block may have been lifted).
   */
  blocked = false;

  private conversationId: string | undefined;
  private token: string | undefined;
  /** This browser's stable id, sent when a conversation starts (see visitor-storage.ts). */
  private visitorId = '';
  /** An accepted invitation, sent with the message that starts the conversation. */
  private invitationId: string | undefined;
  private maxId = 0;
  private localSeq = 0;
  private api!: VisitorApi;
  private key = '';
  private open = false;
  private readonly stream = new LiveStream({
    target: () => {
      const id = this.conversationId;
      const token = this.token;
      return id && token && this.connected ? { url: this.api.eventsUrl(id), token, lastEventId: this.maxId } : undefined;
    },
    canReconnect: () => this.online,
    restarting: () => this.restarting,
    onEvent: (event, data) => this.onEvent(event, data),
    onRefused: (why) => {
      // Blocked: reconnecting would only be refused again. Gone: the next message starts a new conversation.
      if (why === 'blocked') this.block();
      else this.forget();
      this.update();
    },
    onRetrying: () => {
      this.reconnecting = true;
      this.update();
    },
  });
  private typingSentAt = 0;
  private typingStopTimer: ReturnType<typeof setTimeout> | undefined;
  private agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    private readonly options: ConnectionOptions,
  ) {
    host.addController(this);
  }

  /** This browser's stable visitor id (presence reports carry it so a block by visitor id covers them). */
  get visitor(): string {
    return this.visitorId;
  }

  /**
   * The visitor accepted an invitation: its words become the chat's first line, and the conversation the next
   * message starts is marked as invited (`invitationId`). With a conversation already open, only the line shows.
   */
  startFromInvitation(invitationId: string, author: Author, text: string): void {
    if (!this.conversationId) this.invitationId = invitationId;
    this.addLocal(author, text);
    this.update();
  }

  get hasConversation(): boolean {
    return this.conversationId !== undefined;
  }

  /** Messages from the bot, agents or the system the visitor has not seen yet. */
  get unread(): number {
    return this.items.filter((m) => m.id !== undefined && m.id > this.seenId && m.author !== 'visitor').length;
  }

  hostConnected(): void {
    this.connected = true;
    const server = this.options.server();
    this.api = createVisitorApi(server);
    this.key = storageKey(server || location.origin);
    const saved = readSaved(storage(), this.key);
    this.visitorId = saved.visitorId ?? newVisitorId();
    this.lang = saved.lang ?? this.options.defaultLang();
    this.online = navigator.onLine !== false;
    this.adopt(saved);
    // Moved in the page (disconnected, then connected again): the stream was stopped, open it again.
    if (this.conversationId && !this.stream.open && this.online) this.connectStream();
    addEventListener('online', this.onOnline);
    addEventListener('offline', this.onOffline);
    addEventListener('storage', this.onStorage);
    addEventListener('pagehide', this.onPageHide);
    addEventListener('pageshow', this.onPageShow);
  }

  hostDisconnected(): void {
    this.connected = false;
    removeEventListener('online', this.onOnline);
    removeEventListener('offline', this.onOffline);
    removeEventListener('storage', this.onStorage);
    removeEventListener('pagehide', this.onPageHide);
    removeEventListener('pageshow', this.onPageShow);
    this.stopStream();
    clearTimeout(this.typingStopTimer);
    clearTimeout(this.agentTypingTimer);
  }

  /** The saved open state (read once by the element at start). */
  savedOpen(): boolean {
    return readSaved(storage(), this.key).open ?? false;
  }

  setOpen(open: boolean): void {
    this.open = open;
    if (open) this.seenId = Math.max(this.seenId, this.maxId);
    this.save();
    this.update();
  }

  setLang(lang: Lang): void {
    this.lang = lang;
    this.save();
    this.update();
  }

  /** Sends a visitor message (also a chosen chip). */
  async send(text: string): Promise<void> {
    const clean = text.trim();
    if (clean === '' || this.blocked) return;
    const item: ChatItem = { key: `l${++this.localSeq}`, author: 'visitor', text: clean, createdAt: new Date().toISOString(), state: 'sending' };
    this.items = [...this.items, item];
    this.error = undefined;
    this.stopTyping();
    this.update();
    await this.deliver(item);
  }

  /** Sends a failed message again. */
  async retry(key: string): Promise<void> {
    const item = this.items.find((m) => m.key === key && m.state === 'failed');
    if (!item || this.blocked) return;
    this.replaceItem(key, { ...item, state: 'sending', error: undefined });
    await this.deliver(this.items.find((m) => m.key === key)!);
  }

  /** The "talk to a person" button. Without a conversation yet it asks in words, which starts one. */
  async handoff(): Promise<void> {
    if (this.blocked) return;
    if (!this.conversationId || !this.token) return this.send('人工');
    this.error = undefined;
    const before = this.maxId;
    try {
      const response = await this.api.handoff(this.conversationId, this.token);
      await this.catchUp();
      this.applyReply(response.reply, before);
    } catch (err) {
      this.fail(err);
    }
    this.update();
  }

  /** Ends the chat with a person (queued or assigned). */
  async endChat(): Promise<void> {
    if (!this.conversationId || !this.token) return;
    try {
      await this.api.close(this.conversationId, this.token);
      await this.catchUp();
    } catch (err) {
      this.fail(err);
    }
    this.update();
  }

  async rate(score: number, comment: string): Promise<boolean> {
    if (!this.conversationId || !this.token) return false;
    try {
      await this.api.rate(this.conversationId, this.token, score, comment.trim() || undefined);
    } catch (err) {
      // 409: already rated (another tab) or the chat is open again: nothing left to rate either way.
      if (!(err instanceof ApiError && err.status === 409)) {
        this.fail(err);
        this.update();
        return false;
      }
    }
    this.ratingDue = false;
    this.save();
    this.update();
    return true;
  }

  skipRating(): void {
    this.ratingDue = false;
    this.save();
    this.update();
  }

  async submitTicket(contact: string, text: string): Promise<boolean> {
    if (!this.conversationId || !this.token) return false;
    try {
      const result = await this.api.ticket(this.conversationId, this.token, contact.trim(), text.trim());
      this.leaveMessage = undefined;
      this.addLocal('bot', result.text);
      this.update();
      return true;
    } catch (err) {
      this.fail(err);
      this.update();
      return false;
    }
  }

  dismissTicket(): void {
    this.leaveMessage = undefined;
    this.update();
  }

  /** The visitor typed: tells the agent (throttled), and "stopped" after a pause. */
  typed(): void {
    if (!this.conversationId || !this.token || (this.status !== 'queued' && this.status !== 'assigned')) return;
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_REPEAT_MS) {
      this.typingSentAt = now;
      this.api.typing(this.conversationId, this.token, true).catch(this.onQuietFailure);
    }
    clearTimeout(this.typingStopTimer);
    this.typingStopTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    clearTimeout(this.typingStopTimer);
    if (this.typingSentAt === 0) return;
    this.typingSentAt = 0;
    if (this.conversationId && this.token) this.api.typing(this.conversationId, this.token, false).catch(this.onQuietFailure);
  }

  private async deliver(item: ChatItem): Promise<void> {
    const before = this.maxId;
    const newConversation = !this.conversationId;
    // Kept on the item, so the retry button sends the same id too.
    if (!item.clientMessageId) {
      item = { ...item, clientMessageId: newClientMessageId() };
      this.replaceItem(item.key, item);
    }
    // One body for every attempt: the same conversation, token and clientMessageId (and visitorId for a first
    // message, whose retry the server matches by the pair and answers with the same conversation and a new token).
    const attempts = (body: Parameters<VisitorApi['chat']>[0], token: string | undefined) => {
      const send = () => this.api.chat(body, token);
      // An invitation is used up by the first attempt, so a repeat would be refused: sent once, as before.
      return body.conversationId || (body.visitorId && !body.invitationId) ? sendWithRetry(send, this.options.sendRetry) : send();
    };
    try {
      let response;
      try {
        response = await attempts(this.chatBody(item.text, item.clientMessageId), this.token);
      } catch (err) {
        // The stored conversation is gone (new database, expired): start a new one with this message.
        if (!newConversation && err instanceof ApiError && (err.status === 404 || err.status === 401)) {
          this.forget();
          response = await attempts(this.chatBody(item.text, item.clientMessageId), undefined);
        } else if (this.invitationId && err instanceof ApiError && err.code === 'invalid_invitation') {
          // Expired, used or forgotten by a restart: the chat starts the ordinary way instead of failing for good.
          this.invitationId = undefined;
          response = await attempts(this.chatBody(item.text, item.clientMessageId), undefined);
        } else {
          throw err;
        }
      }
      if (response.token) {
        this.invitationId = undefined;
        this.conversationId = response.conversationId;
        this.token = response.token;
        this.save();
        this.connectStream();
      }
      const caughtUp = await this.catchUp().then(
        () => true,
        () => false,
      );
      // Caught up: the stored copy is on screen. Otherwise the stream brings it later and replaces this one.
      if (caughtUp) this.items = this.items.filter((m) => m.key !== item.key);
      else this.replaceItem(item.key, { ...item, state: undefined });
      if (response.reply) this.applyReply(response.reply, before);
      else if (this.status === 'none') this.status = 'bot';
    } catch (err) {
      // Refused for good (blocked): the message stays on screen as not sent, under the notice.
      if (isVisitorBlocked(err)) this.block();
      const error = this.errorKey(err);
      this.replaceItem(item.key, { ...item, state: 'failed', error });
    }
    this.update();
  }

  private chatBody(text: string, clientMessageId?: string) {
    const body: Parameters<VisitorApi['chat']>[0] = { text, lang: this.lang };
    if (clientMessageId) body.clientMessageId = clientMessageId;
    if (this.conversationId) {
      body.conversationId = this.conversationId;
    } else {
      if (this.visitorId) body.visitorId = this.visitorId;
      if (this.invitationId) body.invitationId = this.invitationId;
      const province = this.options.province?.();
      if (province) body.province = province;
      const visitor: { pageUrl?: string; referrer?: string } = {};
      if (isPageAddress(location.href)) visitor.pageUrl = pageAddress(location.href);
      if (isPageAddress(document.referrer)) visitor.referrer = pageAddress(document.referrer);
      body.visitor = visitor;
    }
    return body;
  }

  /** What a reply adds to the stored messages: chips, the queue, the agent, the leave-a-message form. */
  private applyReply(reply: ChatReply | HandoffReply, storedAfter: number): void {
    this.leaveMessage = reply.leaveMessage;
    if (reply.kind === 'handoff') {
      if (reply.queue) {
        this.queue = reply.queue;
        if (this.status !== 'assigned') this.status = 'queued';
      }
      if (reply.agent) {
        this.agentName = reply.agent.displayName;
        this.status = 'assigned';
      }
    } else if (this.status === 'none' || this.status === 'closed') {
      // Back with the bot after a closed chat: the old chat's rating offer goes.
      if (this.status === 'closed') this.ratingDue = false;
      this.status = 'bot';
      this.save();
    }
    // Some replies are not stored (the button outside hours, pressed twice): show them once, here.
    const stored = this.items.find((m) => m.id !== undefined && m.id > storedAfter && m.author !== 'visitor' && m.text === reply.text);
    const suggestions = reply.suggestions?.length ? reply.suggestions : undefined;
    if (stored) {
      if (suggestions) this.replaceItem(stored.key, { ...stored, suggestions });
    } else if (reply.text) {
      this.addLocal('bot', reply.text, suggestions);
    }
  }

  /** Whether a message's choices can still be chosen: nothing has been said since, and no person has the chat. */
  choicesOpen(item: ChatItem): boolean {
    if (this.blocked || this.status === 'queued' || this.status === 'assigned') return false;
    const at = this.items.indexOf(item);
    return at !== -1 && !this.items.slice(at + 1).some((m) => m.author === 'visitor' || m.suggestions?.length);
  }

  private addLocal(author: Author, text: string, suggestions?: Suggestion[]): void {
    this.items = [...this.items, { key: `l${++this.localSeq}`, author, text, createdAt: new Date().toISOString(), ...(suggestions ? { suggestions } : {}) }];
  }

  private replaceItem(key: string, item: ChatItem): void {
    this.items = this.items.map((m) => (m.key === key ? item : m));
  }

  /** Reads the stored messages after the newest one held (also when the stream is down). */
  private async catchUp(): Promise<void> {
    const id = this.conversationId;
    const token = this.token;
    if (!id || !token) return;
    for (let guard = 0; guard < 20; guard++) {
      const page = await this.api.messages(id, token, this.maxId);
      if (id !== this.conversationId) return;
      for (const m of page.messages) this.addStored({ conversationId: id, ...m });
      this.setStatus(page.status);
      if (!page.more || page.messages.length === 0) break;
    }
  }

  private addStored(m: VisitorMessageData): void {
    if (this.items.some((i) => i.id === m.id)) return;
    const item: ChatItem = { key: `m${m.id}`, id: m.id, author: m.author, text: m.text, createdAt: m.createdAt };
    if (m.author === 'agent') {
      if (this.agentName) item.agentName = this.agentName;
      this.setAgentTyping(false);
    }
    // The visitor's own message came back stored: it replaces the one still sending.
    let items = this.items;
    if (m.author === 'visitor') {
      const pending = items.find((i) => i.id === undefined && i.author === 'visitor' && i.state !== 'failed' && i.text === m.text);
      if (pending) items = items.filter((i) => i !== pending);
    }
    if (m.id > this.maxId) {
      items = [...items, item];
      this.maxId = m.id;
    } else {
      const at = items.findIndex((i) => i.id !== undefined && i.id > m.id);
      items = at === -1 ? [...items, item] : [...items.slice(0, at), item, ...items.slice(at)];
    }
    this.items = items;
    if (this.open) this.seenId = Math.max(this.seenId, this.maxId);
    if (this.historyReady && m.author !== 'visitor') this.announcement = item;
  }

  private setStatus(status: VisitorState['status']): void {
    const was = this.status;
    this.status = status;
    if (status !== 'queued') this.queue = undefined;
    if (status !== 'assigned') {
      this.agentName = undefined;
      this.setAgentTyping(false);
    }
    if (status === 'assigned' || status === 'queued') this.leaveMessage = undefined;
    if (status === 'closed' && (was === 'queued' || was === 'assigned')) this.ratingDue = true;
    if (status === 'queued' || status === 'assigned') this.ratingDue = false;
  }

  private setAgentTyping(typing: boolean): void {
    this.agentTyping = typing;
    clearTimeout(this.agentTypingTimer);
    if (typing) {
      this.agentTypingTimer = setTimeout(() => {
        this.agentTyping = false;
        this.update();
      }, AGENT_TYPING_TIMEOUT_MS);
    }
  }

  private onEvent(event: string, data: string): void {
    let parsed: VisitorWireEvent['data'];
    try {
      parsed = JSON.parse(data) as VisitorWireEvent['data'];
    } catch {
      return;
    }
    if (event === 'server_restarting') {
      // The stream ends next; readStream returns and the reconnect waits for the server's hint, then resumes
      // from maxId (Last-Event-ID). `ready` on the new stream clears the notice.
      this.stream.setRetryHint(Number((parsed as { retryMs?: unknown } | null)?.retryMs));
      this.restarting = true;
      this.update();
      return;
    }
    const e = { event, data: parsed } as VisitorWireEvent;
    switch (e.event) {
      case 'message':
        this.addStored(e.data);
        break;
      case 'ready':
        this.setStatus(e.data.status);
        if (e.data.agent) {
          const name = e.data.agent.displayName;
          this.agentName = name;
          // Stored messages do not say which agent wrote them; after a reload, name the one holding the chat.
          this.items = this.items.map((m) => (m.author === 'agent' && !m.agentName ? { ...m, agentName: name } : m));
        }
        if (e.data.queue) this.queue = e.data.queue;
        this.historyReady = true;
        this.reconnecting = false;
        this.restarting = false;
        this.stream.resetBackoff();
        break;
      case 'typing':
        this.setAgentTyping(e.data.typing);
        break;
      case 'status':
        this.setStatus(e.data.status);
        if (e.data.agent) this.agentName = e.data.agent.displayName;
        break;
      case 'queue_position':
        if (this.status === 'queued' || this.status === 'bot') {
          this.status = 'queued';
          this.queue = { position: e.data.position, etaSeconds: e.data.etaSeconds };
        }
        break;
      case 'transfer':
        this.agentName = undefined;
        break;
      case 'closed':
        this.setStatus('closed');
        this.ratingDue = true;
        break;
      default:
        return;
    }
    this.save();
    this.update();
  }

  /** Opens the live stream of the conversation (live-stream.ts keeps it open). */
  private connectStream(): void {
    this.stream.connect();
  }

  private stopStream(): void {
    this.stream.stop();
  }

  private forget(): void {
    this.stopStream();
    this.conversationId = undefined;
    this.token = undefined;
    this.items = this.items.filter((m) => m.id === undefined);
    this.maxId = 0;
    this.seenId = 0;
    this.status = 'none';
    this.queue = undefined;
    this.agentName = undefined;
    this.ratingDue = false;
    this.leaveMessage = undefined;
    this.historyReady = false;
    this.save();
  }

  /**
   * The server refused this visitor: stop everything that talks to it (stream, typing, retries) and drop the
   * conversation (the block closed it), so a later visit, once the block is lifted, starts a new one. The
   * messages on screen stay; the visitor id is kept.
   */
  private block(): void {
    this.blocked = true;
    this.stopStream();
    clearTimeout(this.typingStopTimer);
    this.typingSentAt = 0;
    this.setAgentTyping(false);
    this.conversationId = undefined;
    this.token = undefined;
    this.status = 'none';
    this.queue = undefined;
    this.agentName = undefined;
    this.leaveMessage = undefined;
    this.ratingDue = false;
    this.error = undefined;
    this.reconnecting = false;
    this.restarting = false;
    this.save();
  }

  /** Takes over a saved conversation (at start, or when another tab of the site starts one). */
  private adopt(saved: SavedState): void {
    if (saved.conversationId === this.conversationId) return;
    this.stopStream();
    this.conversationId = saved.conversationId;
    this.token = saved.token;
    this.items = [];
    this.maxId = 0;
    this.seenId = saved.lastMessageId ?? 0;
    this.ratingDue = saved.ratingDue ?? false;
    this.status = saved.conversationId ? 'bot' : 'none';
    this.historyReady = !saved.conversationId;
    if (this.conversationId && this.online) this.connectStream();
  }

  private save(): void {
    const state: SavedState = { lang: this.lang, open: this.open };
    if (this.visitorId) state.visitorId = this.visitorId;
    if (this.conversationId && this.token) {
      state.conversationId = this.conversationId;
      state.token = this.token;
    }
    if (this.seenId > 0) state.lastMessageId = this.seenId;
    if (this.ratingDue) state.ratingDue = true;
    writeSaved(storage(), this.key, state);
  }

  private fail(err: unknown): void {
    if (isVisitorBlocked(err)) this.block();
    else this.error = this.errorKey(err);
  }

  /** A background call failed (typing): nothing to show, unless it says the visitor is blocked. */
  private readonly onQuietFailure = (err: unknown) => {
    if (!isVisitorBlocked(err)) return;
    this.block();
    this.update();
  };

  private errorKey(err: unknown): ErrorKey {
    return err instanceof ApiError && err.status === 429 ? 'tooMany' : 'errorGeneric';
  }

  private update(): void {
    this.host.requestUpdate();
  }

  private readonly onOnline = () => {
    this.online = true;
    this.stream.resetBackoff();
    if (this.conversationId) this.connectStream();
    this.update();
  };

  private readonly onOffline = () => {
    this.online = false;
    this.update();
  };

  private readonly onStorage = (e: StorageEvent) => {
    if (e.key !== this.key) return;
    const saved = readSaved(storage(), this.key);
    // Two tabs opened at once may each have made an id: the one saved last is the one both keep.
    if (saved.visitorId) this.visitorId = saved.visitorId;
    if (saved.conversationId && saved.conversationId !== this.conversationId) {
      this.adopt(saved);
      this.update();
    }
  };

  private readonly onPageHide = () => this.stopStream();

  private readonly onPageShow = (e: PageTransitionEvent) => {
    if (e.persisted && this.conversationId) this.connectStream();
  };
}

function storage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}

/** The server keeps the page address only when it is an http(s) URL of sane length. */
function isPageAddress(value: string): boolean {
  return /^https?:\/\//i.test(value) && value.length <= 4096;
}
