// The console's answer to its live stream: each event applied to the chats, the queue and presence, and the
// views and the queue fetched again when an event says they changed. Apart from the element, which only renders.
import type { ReactiveController } from 'lit';
import { ApiError, type QueueItem, type ViewMessage } from './console-api.ts';
import type { ConsoleAlert } from './console-alert.ts';
import { chatNotice, messageNotice, queueNotices, type Notice } from './console-attention.ts';
import { withEnded, withMessage, withTyping, withView } from './console-chats.ts';
import type { ConsoleWireEvent } from './console-connection.ts';
import { showError, type ConsoleHost } from './console-host.ts';
import { ConsoleReads } from './console-reads.ts';

/** A visitor "typing" with no update for this long is shown as stopped. Range 3000-30000 ms; default 8000. */
const TYPING_STALE_MS = 8000;
/** Queue refetches after queue_changed are merged over this window. Range 0-2000 ms; default 250. */
const QUEUE_DEBOUNCE_MS = 250;

export interface ConsoleLiveHooks {
  /** A call was answered 401: the session is over (the session flow shows the sign-in form). */
  sessionEnded(): void;
  /** A desktop notification is due (new chat, queued chat, visitor message while the page is hidden). */
  notify?(notice: Notice): void;
}

export class ConsoleLive implements ReactiveController {
  /** When the queue was last fetched: its waiting times count on from there. */
  queueFetchedAt = Date.now();
  /** Chats this console is taking itself: no "new chat" alarm for those. */
  readonly taking = new Set<string>();
  /** Read receipts: what the agent has read, told to the visitor, and how far the visitor has read. */
  readonly reads: ConsoleReads;
  private queueTimer: ReturnType<typeof setTimeout> | undefined;
  private typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The queue's ids at the last fetch, and for which agent: the first fetch after a sign-in announces nothing. */
  private seenQueue: { agentId: string; ids: Set<string> } | undefined;
  /** Counts queue fetches: only the latest one's answer is applied (an older one may arrive last). */
  private queueRequest = 0;

  constructor(
    private readonly host: ConsoleHost,
    private readonly alert: ConsoleAlert,
    private readonly hooks: ConsoleLiveHooks,
  ) {
    host.addController(this);
    this.reads = new ConsoleReads(host);
  }

  hostDisconnected(): void {
    clearTimeout(this.queueTimer);
  }

  onEvent(e: ConsoleWireEvent) {
    const host = this.host;
    const me = host.me;
    if (!me) return;
    switch (e.event) {
      case 'ready':
        void this.sync(e.data.conversations);
        // `read` events sent while the stream was down are not replayed: read the markers of the chats open here.
        for (const id of host.chats.keys()) void this.reads.load(id);
        void this.refreshQueue();
        void host.api.status().then((r) => (host.myStatus = r.status)).catch(() => undefined);
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
        const before = host.chats.get(conversationId);
        const next = withMessage(host.chats, conversationId, message as ViewMessage, looking);
        if (next) {
          host.chats = next;
          if (message.author === 'visitor' && !looking) this.alert.flash(host.strings.newMessage);
          if (looking) this.reads.report(conversationId);
          const notice = messageNotice(message, {
            conversationId,
            held: before?.held === true,
            isNew: !before?.messages.some((m) => m.id === message.id),
            hidden: document.visibilityState === 'hidden',
            fileWord: host.strings.notify.file,
          });
          if (notice) this.hooks.notify?.(notice);
        }
        break;
      }
      case 'typing':
        this.setTyping(e.data.conversationId, e.data.typing);
        break;
      case 'read':
        if (e.data.reader === 'visitor') this.reads.visitorRead(e.data.conversationId, e.data.upTo);
        break;
      case 'status': {
        const { conversationId, status, agent } = e.data;
        if (status === 'assigned' && agent?.id === me.id) {
          if (!host.chats.get(conversationId)?.held) void this.loadChat(conversationId, false);
        } else if (host.chats.get(conversationId)?.held) {
          host.chats = withEnded(host.chats, conversationId, { why: status === 'closed' ? 'closed' : status === 'queued' ? 'requeued' : 'transferred' }, status);
        }
        break;
      }
      case 'transfer':
        if (e.data.toAgent !== me.id && host.chats.get(e.data.conversationId)?.held) {
          host.chats = withEnded(host.chats, e.data.conversationId, { why: 'transferred' });
        }
        break;
      case 'closed':
        if (host.chats.has(e.data.conversationId)) {
          host.chats = withEnded(host.chats, e.data.conversationId, { why: 'closed', by: e.data.by }, 'closed');
          void this.refreshView(e.data.conversationId);
        }
        break;
      case 'presence':
        host.presence = new Map(host.presence).set(e.data.agentId, e.data.status);
        if (e.data.agentId === me.id) host.myStatus = e.data.status;
        break;
      default:
        break;
    }
  }

  /**
   * Fetches the queue; fetches overlap (queue_changed, a take, a reconnection), and their answers may arrive in any
   * order: an older answer applied last would show a chat taken meanwhile as waiting. So the latest request wins, and
   * an answer for an agent no longer signed in here is dropped too.
   */
  async refreshQueue() {
    const request = ++this.queueRequest;
    const agentId = this.host.me?.id;
    const stale = () => request !== this.queueRequest || this.host.me?.id !== agentId;
    try {
      const { conversations } = await this.host.api.queue();
      if (stale()) return;
      this.announceQueue(conversations);
      this.host.queue = conversations;
      this.queueFetchedAt = Date.now();
      this.host.now = this.queueFetchedAt;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && !stale()) this.hooks.sessionEnded();
    }
  }

  /** Names of the agents a view mentions (holder, transfers), for tabs and transcripts. */
  rememberNames(view: {
    agent?: { id: string; displayName: string };
    transfers: Array<{ from?: { id: string; displayName: string }; toAgent?: { id: string; displayName: string } }>;
    /** Colleagues in the chat (handoff/collaboration/): their messages are named too. */
    participants?: Array<{ id: string; displayName: string }>;
  }) {
    const names = new Map(this.host.names);
    const add = (a?: { id: string; displayName: string }) => a && names.set(a.id, a.displayName);
    add(view.agent);
    for (const p of view.participants ?? []) add(p);
    for (const t of view.transfers) {
      add(t.from);
      add(t.toAgent);
    }
    this.host.names = names;
  }

  async refreshView(id: string) {
    const me = this.host.me;
    if (!me) return;
    try {
      const view = await this.host.api.view(id);
      this.rememberNames(view);
      this.host.chats = withView(this.host.chats, view, me.id);
    } catch {
      // Gone or no longer visible to us: leave the tab as it is.
    }
  }

  private announceQueue(queue: QueueItem[]) {
    const me = this.host.me;
    if (!me) return;
    const before = this.seenQueue?.agentId === me.id ? this.seenQueue.ids : undefined;
    this.seenQueue = { agentId: me.id, ids: new Set(queue.map((q) => q.id)) };
    // Chats this console is taking, or already has, are not news.
    const fresh = queue.filter((q) => !this.taking.has(q.id) && !this.host.chats.has(q.id));
    for (const notice of queueNotices(before, fresh, document.visibilityState === 'hidden', this.host.myStatus === 'offline')) this.hooks.notify?.(notice);
  }

  private scheduleQueue() {
    clearTimeout(this.queueTimer);
    this.queueTimer = setTimeout(() => void this.refreshQueue(), QUEUE_DEBOUNCE_MS);
  }

  private isLooking(conversationId: string): boolean {
    return this.host.screen === 'chats' && this.host.active === conversationId && document.visibilityState === 'visible';
  }

  private setTyping(conversationId: string, typing: boolean) {
    const host = this.host;
    host.chats = withTyping(host.chats, conversationId, typing);
    clearTimeout(this.typingTimers.get(conversationId));
    if (typing) {
      this.typingTimers.set(
        conversationId,
        setTimeout(() => (host.chats = withTyping(host.chats, conversationId, false)), TYPING_STALE_MS),
      );
    }
  }

  /** After (re)connecting: load the chats the server says we hold; refresh those we thought we held. */
  private async sync(held: string[]) {
    for (const id of held) if (!this.host.chats.get(id)?.held) await this.loadChat(id, false);
    for (const [id, chat] of this.host.chats) if (chat.held && !held.includes(id)) await this.refreshView(id);
  }

  /** Loads a chat's view into its tab (a new tab when there is none); `announce`: beep and flash for a new chat. */
  async loadChat(id: string, announce: boolean) {
    const host = this.host;
    const me = host.me;
    if (!me) return;
    try {
      const view = await host.api.view(id);
      this.rememberNames(view);
      const isNew = !host.chats.has(id);
      host.chats = withView(host.chats, view, me.id);
      if (!host.order.includes(id)) host.order = [...host.order, id];
      if (!host.active) host.active = id;
      void this.reads.load(id);
      if (this.isLooking(id)) this.reads.report(id);
      if (announce && isNew && !this.taking.has(id)) {
        this.alert.beep();
        this.alert.flash(host.strings.newChat);
        const first = view.messages.find((m) => m.author === 'visitor')?.text ?? '';
        const notice = chatNotice(id, first, document.visibilityState === 'hidden');
        if (notice) this.hooks.notify?.(notice);
      }
    } catch (err) {
      showError(host, err);
    }
  }
}
