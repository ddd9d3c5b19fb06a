// The chat as this browser knows it: bubbles, status, queue, agent, rating, and the ids tying it to a conversation
// on the server, saved in localStorage. Every change replies and stream events make happens here; no network.
import type { VisitorMessageData, VisitorState, VisitorWireEvent } from '../../handoff/http/wire.ts';
import type { ChatReply, HandoffReply } from './visitor-api.ts';
import type { Lang } from './visitor-i18n.ts';
import { readSaved, writeSaved, type SavedState } from './visitor-storage.ts';
import { localItem, nothingSaidSince, unreadCount, withReplaced, withStored, type Author, type ChatItem, type ErrorKey, type Suggestion } from './chat-items.ts';

export type ChatStatus = 'none' | VisitorState['status'];

/** An agent typing indicator nobody switched off fades after this long. */
const AGENT_TYPING_TIMEOUT_MS = 15_000;

export class VisitorChatState {
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
  /** Read receipts: the agent side has read every message up to this id (an agent holding the chat had it open). */
  agentReadUpTo = 0;
  /**
   * The server refused this visitor (403 `visitor_blocked`): the widget shows a calm notice and sends nothing
   * more. Not saved: after a reload the next message asks the server again (the block may have been lifted).
   */
  blocked = false;

  conversationId: string | undefined;
  token: string | undefined;
  /** This browser's stable id, sent when a conversation starts (see visitor-storage.ts). */
  visitorId = '';
  /** An accepted invitation, sent with the message that starts the conversation. */
  invitationId: string | undefined;
  /** The newest stored message held: catching up and the stream resume after it. */
  maxId = 0;
  /** The panel is open: what arrives is seen. */
  open = false;
  /** Where this state is saved (one key per server). */
  key = '';
  private localSeq = 0;
  private agentTypingTimer: ReturnType<typeof setTimeout> | undefined;

  /** `changed`: the state changed on its own (an agent typing indicator faded); the widget renders again. */
  constructor(private readonly changed: () => void) {}

  /** Messages from the bot, agents or the system the visitor has not seen yet. */
  get unread(): number {
    return unreadCount(this.items, this.seenId);
  }

  /** Whether a message's choices can still be chosen: nothing has been said since, and no person has the chat. */
  choicesOpen(item: ChatItem): boolean {
    if (this.blocked || this.status === 'queued' || this.status === 'assigned') return false;
    return nothingSaidSince(this.items, item);
  }

  /** A key for a bubble not stored yet. */
  nextLocalKey(): string {
    return `l${++this.localSeq}`;
  }

  addLocal(author: Author, text: string, suggestions?: Suggestion[]): void {
    this.items = [...this.items, localItem(this.nextLocalKey(), author, text, suggestions)];
  }

  replaceItem(key: string, item: ChatItem): void {
    this.items = withReplaced(this.items, key, item);
  }

  addStored(m: VisitorMessageData): void {
    if (this.items.some((i) => i.id === m.id)) return;
    const item: ChatItem & { id: number } = { key: `m${m.id}`, id: m.id, author: m.author, text: m.text, createdAt: m.createdAt };
    if (m.attachment) item.attachment = m.attachment;
    if (m.author === 'agent') {
      // The server names each agent message's author (a colleague may write beside the holder); older servers did not.
      const name = m.agentName ?? this.agentName;
      if (name) item.agentName = name;
      this.setAgentTyping(false);
    }
    this.items = withStored(this.items, item, this.maxId);
    if (m.id > this.maxId) this.maxId = m.id;
    if (this.open) this.seenId = Math.max(this.seenId, this.maxId);
    if (this.historyReady && m.author !== 'visitor') this.announcement = item;
  }

  setStatus(status: VisitorState['status']): void {
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

  setAgentTyping(typing: boolean): void {
    this.agentTyping = typing;
    clearTimeout(this.agentTypingTimer);
    if (typing) {
      this.agentTypingTimer = setTimeout(() => {
        this.agentTyping = false;
        this.changed();
      }, AGENT_TYPING_TIMEOUT_MS);
    }
  }

  /** The widget left the page: the agent typing indicator's fade no longer fires. */
  stopTimers(): void {
    clearTimeout(this.agentTypingTimer);
  }

  /** What a reply adds to the stored messages: chips, the queue, the agent, the leave-a-message form. */
  applyReply(reply: ChatReply | HandoffReply, storedAfter: number): void {
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

  /** An event of the live stream (not `server_restarting`, which is the stream's own); false when it means nothing here. */
  applyEvent(e: VisitorWireEvent): boolean {
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
        break;
      case 'typing':
        this.setAgentTyping(e.data.typing);
        break;
      case 'read':
        if (e.data.reader !== 'agent' || e.data.upTo <= this.agentReadUpTo) return false;
        this.agentReadUpTo = e.data.upTo;
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
        return false;
    }
    return true;
  }

  /** The conversation is gone on the server: the next message starts a new one. Local bubbles stay. */
  forget(): void {
    this.conversationId = undefined;
    this.token = undefined;
    this.items = this.items.filter((m) => m.id === undefined);
    this.maxId = 0;
    this.seenId = 0;
    this.agentReadUpTo = 0;
    this.status = 'none';
    this.queue = undefined;
    this.agentName = undefined;
    this.ratingDue = false;
    this.leaveMessage = undefined;
    this.historyReady = false;
    this.save();
  }

  /**
   * The server refused this visitor: drop the conversation (the block closed it), so a later visit, once the
   * block is lifted, starts a new one. The messages on screen stay; the visitor id is kept.
   */
  block(): void {
    this.blocked = true;
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

  /** Takes over a saved conversation (its messages come again from the server). */
  adopt(saved: SavedState): void {
    this.conversationId = saved.conversationId;
    this.token = saved.token;
    this.items = [];
    this.maxId = 0;
    this.agentReadUpTo = 0;
    this.seenId = saved.lastMessageId ?? 0;
    this.ratingDue = saved.ratingDue ?? false;
    this.status = saved.conversationId ? 'bot' : 'none';
    this.historyReady = !saved.conversationId;
  }

  loadSaved(): SavedState {
    return readSaved(storage(), this.key);
  }

  save(): void {
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
}

function storage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}
