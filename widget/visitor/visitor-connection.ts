// The widget's server connection (a Lit reactive controller): the live stream with resume, catching up, and the
// page's signals (online, other tabs, back/forward cache). Sending, the chat's other requests and the chat's
// state are modules beside it; this class is what <chat-widget> talks to.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VisitorTicket, VisitorWireEvent } from '../../handoff/http/wire.ts';
import { createVisitorApi, isVisitorBlocked, type VisitorApi } from './visitor-api.ts';
import type { Lang } from './visitor-i18n.ts';
import type { SendRetryOptions } from '../shared/send-with-retry.ts';
import { LiveStream } from './live-stream.ts';
import { newVisitorId, storageKey, type SavedState } from './visitor-storage.ts';
import { errorKey, type Author, type ChatItem, type ErrorKey } from './chat-items.ts';
import { VisitorChatState, type ChatStatus } from './visitor-chat-state.ts';
import { MessageSender } from './visitor-sender.ts';
import { VisitorRequests } from './visitor-requests.ts';
import { VisitorFiles } from './visitor-files.ts';
import { VisitorReads, type Receipt } from './visitor-reads.ts';
import type { AttachmentSource } from '../shared/attachment-card.ts';

export type { Author, ChatItem, ErrorKey, Suggestion } from './chat-items.ts';
export type { ChatStatus } from './visitor-chat-state.ts';
export type { Receipt } from './visitor-reads.ts';

export interface ConnectionOptions {
  server: () => string;
  /** The language when the visitor has not chosen one. */
  defaultLang: () => Lang;
  /** The visitor's home province id as the embedding page gives it, sent with the first message. */
  province?: () => string | undefined;
  /** Automatic retries of a message in an existing conversation (defaults in send-with-retry.ts). */
  sendRetry?: Partial<SendRetryOptions>;
}

export class VisitorConnection implements ReactiveController {
  private readonly chat = new VisitorChatState(() => this.update());
  private api!: VisitorApi;
  private connected = false;
  private readonly stream = new LiveStream({
    target: () => {
      const { conversationId: id, token, maxId } = this.chat;
      return id && token && this.connected ? { url: this.api.eventsUrl(id), token, lastEventId: maxId } : undefined;
    },
    canReconnect: () => this.chat.online,
    restarting: () => this.chat.restarting,
    onEvent: (event, data) => this.onEvent(event, data),
    onRefused: (why) => {
      // Blocked: reconnecting would only be refused again. Gone: the next message starts a new conversation.
      if (why === 'blocked') this.block();
      else this.forget();
      this.update();
    },
    onRetrying: () => {
      this.chat.reconnecting = true;
      this.update();
    },
  });
  private readonly sender = new MessageSender(this.chat, {
    api: () => this.api,
    province: () => this.options.province?.(),
    sendRetry: () => this.options.sendRetry,
    catchUp: () => this.catchUp(),
    follow: () => this.stream.connect(),
    forget: () => this.forget(),
    block: () => this.block(),
    update: () => this.update(),
  });
  private readonly requests = new VisitorRequests(this.chat, {
    api: () => this.api,
    catchUp: () => this.catchUp(),
    fail: (err) => this.fail(err),
    send: (text) => this.sender.send(text),
    update: () => this.update(),
  });
  private readonly reads = new VisitorReads(this.chat, { api: () => this.api, update: () => this.update() });
  private readonly files = new VisitorFiles(this.chat, {
    server: () => this.options.server(),
    catchUp: () => this.catchUp(),
    block: () => this.block(),
    update: () => this.update(),
  });

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    private readonly options: ConnectionOptions,
  ) {
    host.addController(this);
  }

  // What the widget shows. Read-only here: only the connection and its parts change the chat (visitor-chat-state.ts).
  get items(): ChatItem[] {
    return this.chat.items;
  }
  get status(): ChatStatus {
    return this.chat.status;
  }
  get agentName(): string | undefined {
    return this.chat.agentName;
  }
  get queue(): VisitorChatState['queue'] {
    return this.chat.queue;
  }
  get agentTyping(): boolean {
    return this.chat.agentTyping;
  }
  get leaveMessage(): VisitorChatState['leaveMessage'] {
    return this.chat.leaveMessage;
  }
  get ratingDue(): boolean {
    return this.chat.ratingDue;
  }
  get lang(): Lang {
    return this.chat.lang;
  }
  get online(): boolean {
    return this.chat.online;
  }
  get reconnecting(): boolean {
    return this.chat.reconnecting;
  }
  get restarting(): boolean {
    return this.chat.restarting;
  }
  get error(): ErrorKey | undefined {
    return this.chat.error;
  }
  get historyReady(): boolean {
    return this.chat.historyReady;
  }
  get announcement(): ChatItem | undefined {
    return this.chat.announcement;
  }
  get seenId(): number {
    return this.chat.seenId;
  }
  get blocked(): boolean {
    return this.chat.blocked;
  }
  /** Messages from the bot, agents or the system the visitor has not seen yet. */
  get unread(): number {
    return this.chat.unread;
  }
  get hasConversation(): boolean {
    return this.chat.conversationId !== undefined;
  }
  /** This browser's stable visitor id (presence reports carry it so a block by visitor id covers them). */
  get visitor(): string {
    return this.chat.visitorId;
  }

  /** Whether a message's choices can still be chosen: nothing has been said since, and no person has the chat. */
  choicesOpen(item: ChatItem): boolean {
    return this.chat.choicesOpen(item);
  }

  /**
   * The visitor accepted an invitation: its words become the chat's first line, and the conversation the next
   * message starts is marked as invited (`invitationId`). With a conversation already open, only the line shows.
   */
  startFromInvitation(invitationId: string, author: Author, text: string): void {
    if (!this.chat.conversationId) this.chat.invitationId = invitationId;
    this.chat.addLocal(author, text);
    this.update();
  }

  hostConnected(): void {
    this.connected = true;
    const server = this.options.server();
    this.api = createVisitorApi(server);
    this.chat.key = storageKey(server || location.origin);
    const saved = this.chat.loadSaved();
    this.chat.visitorId = saved.visitorId ?? newVisitorId();
    this.chat.lang = saved.lang ?? this.options.defaultLang();
    this.chat.online = navigator.onLine !== false;
    this.adopt(saved);
    // Moved in the page (disconnected, then connected again): the stream was stopped, open it again.
    if (this.chat.conversationId && !this.stream.open && this.chat.online) this.stream.connect();
    addEventListener('online', this.onOnline);
    addEventListener('offline', this.onOffline);
    addEventListener('storage', this.onStorage);
    addEventListener('pagehide', this.onPageHide);
    addEventListener('pageshow', this.onPageShow);
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  hostDisconnected(): void {
    this.connected = false;
    removeEventListener('online', this.onOnline);
    removeEventListener('offline', this.onOffline);
    removeEventListener('storage', this.onStorage);
    removeEventListener('pagehide', this.onPageHide);
    removeEventListener('pageshow', this.onPageShow);
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.stream.stop();
    this.sender.pauseTyping();
    this.chat.stopTimers();
    this.files.forget();
  }

  /** The saved open state (read once by the element at start). */
  savedOpen(): boolean {
    return this.chat.loadSaved().open ?? false;
  }

  setOpen(open: boolean): void {
    this.chat.open = open;
    if (open) this.chat.seenId = Math.max(this.chat.seenId, this.chat.maxId);
    this.chat.save();
    this.update();
  }

  setLang(lang: Lang): void {
    this.chat.lang = lang;
    this.chat.save();
    this.update();
  }

  /** Sends a visitor message (also a chosen chip). */
  send(text: string): Promise<void> {
    return this.sender.send(text);
  }

  /** Sends a failed message again. */
  retry(key: string): Promise<void> {
    return this.files.has(key) ? this.files.retry(key) : this.sender.retry(key);
  }

  /** The widget rendered: with the panel open and the page visible, the agent is told how far the chat was shown. */
  shown(visible: boolean): void {
    this.reads.shown(visible);
  }

  /** The visitor's message a receipt shows under (their newest stored one), or 0 when none shows. */
  get receiptAt(): number {
    return this.reads.current();
  }

  /** Read receipts: what the visitor is told under their message `m` (only the newest one says anything). */
  receipt(m: ChatItem): Receipt | undefined {
    return this.reads.receipt(m);
  }

  /** Whether files may be sent now: a person has the chat (queued or assigned). */
  get filesAllowed(): boolean {
    return this.files.allowed;
  }

  /** Sends a file (picked, pasted or dropped) into the chat with a person. */
  sendFile(file: File): Promise<void> {
    return this.files.send(file);
  }

  /** How the chat's file cards reach a stored file (with the conversation's token). */
  get attachmentSource(): AttachmentSource {
    return this.files.source;
  }

  /** The visitor typed: tells the agent (throttled), and "stopped" after a pause. */
  typed(): void {
    this.sender.typed();
  }

  /** The "talk to a person" button. Without a conversation yet it asks in words, which starts one. */
  handoff(): Promise<void> {
    return this.requests.handoff();
  }

  /** Ends the chat with a person (queued or assigned). */
  endChat(): Promise<void> {
    return this.requests.endChat();
  }

  rate(score: number, comment: string): Promise<boolean> {
    return this.requests.rate(score, comment);
  }

  skipRating(): void {
    this.requests.skipRating();
  }

  submitTicket(contact: string, text: string): Promise<boolean> {
    return this.requests.submitTicket(contact, text);
  }

  dismissTicket(): void {
    this.requests.dismissTicket();
  }

  /** The messages this chat left and their answers ([] without a conversation; a failed read is [] too, shown later). */
  async leftMessages(): Promise<VisitorTicket[]> {
    const { conversationId: id, token } = this.chat;
    if (!id || !token) return [];
    try {
      return (await this.api.tickets(id, token)).tickets;
    } catch {
      return [];
    }
  }

  /** The conversation this browser follows, if any: what the left messages are read for. */
  get conversationId(): string | undefined {
    return this.chat.conversationId;
  }

  /** Reads the stored messages after the newest one held (also when the stream is down). */
  private async catchUp(): Promise<void> {
    const { conversationId: id, token } = this.chat;
    if (!id || !token) return;
    for (let guard = 0; guard < 20; guard++) {
      const page = await this.api.messages(id, token, this.chat.maxId);
      if (id !== this.chat.conversationId) return;
      for (const m of page.messages) this.chat.addStored({ conversationId: id, ...m });
      this.chat.setStatus(page.status);
      if (!page.more || page.messages.length === 0) break;
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
      this.chat.restarting = true;
      this.update();
      return;
    }
    const e = { event, data: parsed } as VisitorWireEvent;
    if (!this.chat.applyEvent(e)) return;
    // `ready`: the stream is good again, so the next failure starts the backoff afresh.
    if (e.event === 'ready') {
      this.stream.resetBackoff();
      void this.reads.refresh();
    }
    this.chat.save();
    this.update();
  }

  /** The conversation is gone on the server: stop following it; the next message starts a new one. */
  private forget(): void {
    this.stream.stop();
    this.chat.forget();
  }

  /** The server refused this visitor: stop everything that talks to it (stream, typing, retries). */
  private block(): void {
    this.stream.stop();
    this.sender.cancelTyping();
    this.chat.block();
  }

  /** Takes over a saved conversation (at start, or when another tab of the site starts one). */
  private adopt(saved: SavedState): void {
    if (saved.conversationId === this.chat.conversationId) return;
    this.stream.stop();
    this.chat.adopt(saved);
    if (this.chat.conversationId && this.chat.online) this.stream.connect();
  }

  private fail(err: unknown): void {
    if (isVisitorBlocked(err)) this.block();
    else this.chat.error = errorKey(err);
  }

  private update(): void {
    this.host.requestUpdate();
  }

  private readonly onOnline = () => {
    this.chat.online = true;
    this.stream.resetBackoff();
    if (this.chat.conversationId) this.stream.connect();
    this.update();
  };

  private readonly onOffline = () => {
    this.chat.online = false;
    this.update();
  };

  private readonly onStorage = (e: StorageEvent) => {
    if (e.key !== this.chat.key) return;
    const saved = this.chat.loadSaved();
    // Two tabs opened at once may each have made an id: the one saved last is the one both keep.
    if (saved.visitorId) this.chat.visitorId = saved.visitorId;
    if (saved.conversationId && saved.conversationId !== this.chat.conversationId) {
      this.adopt(saved);
      this.update();
    }
  };

  private readonly onPageHide = () => this.stream.stop();

  /** Back in front of the visitor: render, so what the open panel shows now counts as read. */
  private readonly onVisibility = () => {
    if (document.visibilityState === 'visible') this.update();
  };

  private readonly onPageShow = (e: PageTransitionEvent) => {
    if (e.persisted && this.chat.conversationId) this.stream.connect();
  };
}
