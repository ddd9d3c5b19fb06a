// What the visitor asks of a chat beyond its messages: a person (handoff), the end of the chat, a rating, a message
// left for the next shift. Apart from the connection: each is one call, then the stored messages are caught up.
import { ApiError, type VisitorApi } from './visitor-api.ts';
import type { VisitorChatState } from './visitor-chat-state.ts';

/** What these requests need from the connection around them. */
export interface RequestHooks {
  api(): VisitorApi;
  /** Reads the stored messages after the newest one held. */
  catchUp(): Promise<void>;
  /** Shows a failed call (and stops everything when the server refused the visitor). */
  fail(err: unknown): void;
  /** Sends a visitor message. */
  send(text: string): Promise<void>;
  update(): void;
}

export class VisitorRequests {
  constructor(
    private readonly chat: VisitorChatState,
    private readonly hooks: RequestHooks,
  ) {}

  /** The "talk to a person" button. Without a conversation yet it asks in words, which starts one. */
  async handoff(): Promise<void> {
    const chat = this.chat;
    if (chat.blocked) return;
    if (!chat.conversationId || !chat.token) return this.hooks.send('人工');
    chat.error = undefined;
    const before = chat.maxId;
    try {
      const response = await this.hooks.api().handoff(chat.conversationId, chat.token);
      await this.hooks.catchUp();
      chat.applyReply(response.reply, before);
    } catch (err) {
      this.hooks.fail(err);
    }
    this.hooks.update();
  }

  /** Ends the chat with a person (queued or assigned). */
  async endChat(): Promise<void> {
    const chat = this.chat;
    if (!chat.conversationId || !chat.token) return;
    try {
      await this.hooks.api().close(chat.conversationId, chat.token);
      await this.hooks.catchUp();
    } catch (err) {
      this.hooks.fail(err);
    }
    this.hooks.update();
  }

  async rate(score: number, comment: string): Promise<boolean> {
    const chat = this.chat;
    if (!chat.conversationId || !chat.token) return false;
    try {
      await this.hooks.api().rate(chat.conversationId, chat.token, score, comment.trim() || undefined);
    } catch (err) {
      // 409: already rated (another tab) or the chat is open again: nothing left to rate either way.
      if (!(err instanceof ApiError && err.status === 409)) {
        this.hooks.fail(err);
        this.hooks.update();
        return false;
      }
    }
    chat.ratingDue = false;
    chat.save();
    this.hooks.update();
    return true;
  }

  skipRating(): void {
    this.chat.ratingDue = false;
    this.chat.save();
    this.hooks.update();
  }

  async submitTicket(contact: string, text: string): Promise<boolean> {
    const chat = this.chat;
    if (!chat.conversationId || !chat.token) return false;
    try {
      const result = await this.hooks.api().ticket(chat.conversationId, chat.token, contact.trim(), text.trim());
      chat.leaveMessage = undefined;
      chat.addLocal('bot', result.text);
      this.hooks.update();
      return true;
    } catch (err) {
      this.hooks.fail(err);
      this.hooks.update();
      return false;
    }
  }

  dismissTicket(): void {
    this.chat.leaveMessage = undefined;
    this.hooks.update();
  }
}
