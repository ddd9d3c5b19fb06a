// What the visitor sends: a message (retried, and moved to a new conversation when the stored one is gone) and the
// typing signal. Apart from the connection so the rules for delivering one message read in one place.
import { pageAddress } from './page-address.ts';
import { ApiError, isVisitorBlocked, type VisitorApi } from './visitor-api.ts';
import { newClientMessageId, sendWithRetry, type SendRetryOptions } from '../shared/send-with-retry.ts';
import { errorKey, type ChatItem } from './chat-items.ts';
import type { VisitorChatState } from './visitor-chat-state.ts';

/** Visitor typing: "typing" is re-sent at most this often, "stopped" after this long without a key. */
const TYPING_REPEAT_MS = 4_000;
const TYPING_IDLE_MS = 3_000;

/** What sending needs from the connection around it. */
export interface SenderHooks {
  api(): VisitorApi;
  /** The visitor's home province id as the embedding page gives it, sent with the first message. */
  province(): string | undefined;
  /** Automatic retries of a message in an existing conversation (defaults in send-with-retry.ts). */
  sendRetry(): Partial<SendRetryOptions> | undefined;
  /** Reads the stored messages after the newest one held. */
  catchUp(): Promise<void>;
  /** A message started a conversation: open its live stream. */
  follow(): void;
  /** The stored conversation is gone (stream stopped, state dropped): the message starts a new one. */
  forget(): void;
  /** The server refused this visitor: stop everything that talks to it. */
  block(): void;
  update(): void;
}

export class MessageSender {
  private typingSentAt = 0;
  private typingStopTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly chat: VisitorChatState,
    private readonly hooks: SenderHooks,
  ) {}

  /** Sends a visitor message (also a chosen chip). */
  async send(text: string): Promise<void> {
    const clean = text.trim();
    if (clean === '' || this.chat.blocked) return;
    const item: ChatItem = { key: this.chat.nextLocalKey(), author: 'visitor', text: clean, createdAt: new Date().toISOString(), state: 'sending' };
    this.chat.items = [...this.chat.items, item];
    this.chat.error = undefined;
    this.stopTyping();
    this.hooks.update();
    await this.deliver(item);
  }

  /** Sends a failed message again. */
  async retry(key: string): Promise<void> {
    const item = this.chat.items.find((m) => m.key === key && m.state === 'failed');
    if (!item || this.chat.blocked) return;
    this.chat.replaceItem(key, { ...item, state: 'sending', error: undefined });
    await this.deliver(this.chat.items.find((m) => m.key === key)!);
  }

  /** The visitor typed: tells the agent (throttled), and "stopped" after a pause. */
  typed(): void {
    const { conversationId, token, status } = this.chat;
    if (!conversationId || !token || (status !== 'queued' && status !== 'assigned')) return;
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_REPEAT_MS) {
      this.typingSentAt = now;
      this.hooks.api().typing(conversationId, token, true).catch(this.onQuietFailure);
    }
    clearTimeout(this.typingStopTimer);
    this.typingStopTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  /** The widget left the page: the pending "stopped" is not sent from the background. */
  pauseTyping(): void {
    clearTimeout(this.typingStopTimer);
  }

  /** The visitor is blocked: nothing more goes out, not even "stopped". */
  cancelTyping(): void {
    clearTimeout(this.typingStopTimer);
    this.typingSentAt = 0;
  }

  private stopTyping(): void {
    clearTimeout(this.typingStopTimer);
    if (this.typingSentAt === 0) return;
    this.typingSentAt = 0;
    const { conversationId, token } = this.chat;
    if (conversationId && token) this.hooks.api().typing(conversationId, token, false).catch(this.onQuietFailure);
  }

  private async deliver(item: ChatItem): Promise<void> {
    const chat = this.chat;
    const before = chat.maxId;
    const newConversation = !chat.conversationId;
    // Kept on the item, so the retry button sends the same id too.
    if (!item.clientMessageId) {
      item = { ...item, clientMessageId: newClientMessageId() };
      chat.replaceItem(item.key, item);
    }
    // One body for every attempt: the same conversation, token and clientMessageId (and visitorId for a first
    // message, whose retry the server matches by the pair and answers with the same conversation and a new token).
    const attempts = (body: Parameters<VisitorApi['chat']>[0], token: string | undefined) => {
      const send = () => this.hooks.api().chat(body, token);
      // An invitation is used up by the first attempt, so a repeat would be refused: sent once, as before.
      return body.conversationId || (body.visitorId && !body.invitationId) ? sendWithRetry(send, this.hooks.sendRetry()) : send();
    };
    try {
      let response;
      try {
        response = await attempts(this.chatBody(item.text, item.clientMessageId), chat.token);
      } catch (err) {
        // The stored conversation is gone (new database, expired): start a new one with this message.
        if (!newConversation && err instanceof ApiError && (err.status === 404 || err.status === 401)) {
          this.hooks.forget();
          response = await attempts(this.chatBody(item.text, item.clientMessageId), undefined);
        } else if (chat.invitationId && err instanceof ApiError && err.code === 'invalid_invitation') {
          // Expired, used or forgotten by a restart: the chat starts the ordinary way instead of failing for good.
          chat.invitationId = undefined;
          response = await attempts(this.chatBody(item.text, item.clientMessageId), undefined);
        } else {
          throw err;
        }
      }
      if (response.token) {
        chat.invitationId = undefined;
        chat.conversationId = response.conversationId;
        chat.token = response.token;
        chat.save();
        this.hooks.follow();
      }
      const caughtUp = await this.hooks.catchUp().then(
        () => true,
        () => false,
      );
      // Caught up: the stored copy is on screen. Otherwise the stream brings it later and replaces this one.
      if (caughtUp) chat.items = chat.items.filter((m) => m.key !== item.key);
      else chat.replaceItem(item.key, { ...item, state: undefined });
      if (response.reply) chat.applyReply(response.reply, before);
      else if (chat.status === 'none') chat.status = 'bot';
    } catch (err) {
      // Refused for good (blocked): the message stays on screen as not sent, under the notice.
      if (isVisitorBlocked(err)) this.hooks.block();
      const error = errorKey(err);
      chat.replaceItem(item.key, { ...item, state: 'failed', error });
    }
    this.hooks.update();
  }

  private chatBody(text: string, clientMessageId?: string) {
    const chat = this.chat;
    const body: Parameters<VisitorApi['chat']>[0] = { text, lang: chat.lang };
    if (clientMessageId) body.clientMessageId = clientMessageId;
    if (chat.conversationId) {
      body.conversationId = chat.conversationId;
    } else {
      if (chat.visitorId) body.visitorId = chat.visitorId;
      if (chat.invitationId) body.invitationId = chat.invitationId;
      const province = this.hooks.province();
      if (province) body.province = province;
      const visitor: { pageUrl?: string; referrer?: string } = {};
      if (isPageAddress(location.href)) visitor.pageUrl = pageAddress(location.href);
      if (isPageAddress(document.referrer)) visitor.referrer = pageAddress(document.referrer);
      body.visitor = visitor;
    }
    return body;
  }

  /** A background call failed (typing): nothing to show, unless it says the visitor is blocked. */
  private readonly onQuietFailure = (err: unknown) => {
    if (!isVisitorBlocked(err)) return;
    this.hooks.block();
    this.hooks.update();
  };
}

/** The server keeps the page address only when it is an http(s) URL of sane length. */
function isPageAddress(value: string): boolean {
  return /^https?:\/\//i.test(value) && value.length <= 4096;
}
