// Read receipts on the visitor's side: tells the server how far the widget has shown the chat while the visitor could
// see it (so the agent sees "read" under their message), reads back how far the agent side has read (after each
// (re)connect: a `read` event sent while the stream was down is not replayed), and words the receipt under the
// visitor's newest message.
import { ApiError, type VisitorApi } from './visitor-api.ts';
import type { ChatItem } from './chat-items.ts';
import type { VisitorChatState } from './visitor-chat-state.ts';

export type Receipt = 'sent' | 'read';

export interface ReadHooks {
  api(): VisitorApi;
  update(): void;
}

export class VisitorReads {
  /** The conversation and the newest agent message already reported as shown (or being reported). */
  private reported: { conversationId: string; upTo: number } | undefined;

  constructor(
    private readonly chat: VisitorChatState,
    private readonly hooks: ReadHooks,
  ) {}

  /**
   * The widget rendered with the panel open (`visible`: and the page in front of the visitor): reports the newest
   * stored message as read when an agent message came since the last report. Nothing else is worth a request: the
   * agent side only shows whether its own messages were read.
   */
  shown(visible: boolean): void {
    const { conversationId, token } = this.chat;
    if (!visible || !conversationId || !token || this.chat.blocked || !this.chat.historyReady) return;
    const reported = this.reported?.conversationId === conversationId ? this.reported.upTo : 0;
    const newestAgent = this.chat.items.reduce((n, m) => (m.author === 'agent' && m.id !== undefined && m.id > n ? m.id : n), 0);
    if (newestAgent <= reported) return;
    const upTo = Math.max(newestAgent, this.chat.maxId);
    this.reported = { conversationId, upTo };
    this.hooks.api().read(conversationId, token, upTo).catch((err: unknown) => {
      // A passing failure is reported again at the next render; a refusal (gone, blocked, bad id) is not retried.
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) return;
      if (this.reported?.conversationId === conversationId && this.reported.upTo === upTo) this.reported = { conversationId, upTo: reported };
    });
  }

  /** Reads how far the agent side has read (after the stream's `ready`). */
  async refresh(): Promise<void> {
    const { conversationId, token } = this.chat;
    if (!conversationId || !token) return;
    try {
      const { read } = await this.hooks.api().readState(conversationId, token);
      const upTo = read.agent?.upTo ?? 0;
      if (conversationId !== this.chat.conversationId || upTo <= this.chat.agentReadUpTo) return;
      this.chat.agentReadUpTo = upTo;
      this.hooks.update();
    } catch {
      // The receipt stays as it was; the next `read` event or reconnect brings it up to date.
    }
  }

  /**
   * What the visitor is told under message `m`: only the newest stored visitor message says anything, `read` once
   * the agent side has read up to it, `sent` while a person has the chat (with the bot, "read" would mean nothing).
   */
  receipt(m: ChatItem): Receipt | undefined {
    if (m.author !== 'visitor' || m.id === undefined || m !== this.newestVisitorMessage()) return undefined;
    return this.receiptFor(m.id);
  }

  /** The id of the visitor's newest stored message when a receipt shows under it, else 0. */
  current(): number {
    const id = this.newestVisitorMessage()?.id;
    return id !== undefined && this.receiptFor(id) ? id : 0;
  }

  private receiptFor(id: number): Receipt | undefined {
    if (this.chat.agentReadUpTo >= id) return 'read';
    return this.chat.status === 'queued' || this.chat.status === 'assigned' ? 'sent' : undefined;
  }

  private newestVisitorMessage(): ChatItem | undefined {
    const items = this.chat.items;
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      if (item.author === 'visitor' && item.id !== undefined) return item;
    }
    return undefined;
  }
}
