// Read receipts on the agent's side: tells the server how far a held chat has been open before the agent (so the
// visitor sees "read" under their message), and keeps each chat's visitor marker (read back on load and reconnect,
// moved live by `read` events) for the "read" under the agent's own newest message.
import { withVisitorRead } from './console-chats.ts';
import type { ConsoleHost } from './console-host.ts';

export class ConsoleReads {
  /** Per chat, the newest message id reported as read (or being reported). */
  private readonly reported = new Map<string, number>();

  constructor(private readonly host: ConsoleHost) {}

  /**
   * The agent is looking at chat `id` (its tab open, the page visible): reports its newest message as read when a
   * visitor message came since the last report. Only the holder's reading moves what the visitor is told, so a chat
   * the agent no longer holds reports nothing.
   */
  report(id: string): void {
    const chat = this.host.chats.get(id);
    if (!chat?.held) return;
    const before = this.reported.get(id) ?? 0;
    let newestVisitor = 0;
    for (const m of chat.messages) if (m.author === 'visitor' && m.id > newestVisitor) newestVisitor = m.id;
    if (newestVisitor <= before) return;
    const upTo = chat.messages.at(-1)!.id;
    this.reported.set(id, upTo);
    this.host.api.markRead(id, upTo).then(
      ({ read }) => this.apply(id, read.visitor?.upTo),
      () => {
        // Tried again the next time the agent looks (a new message, a tab switch, the page shown again).
        if (this.reported.get(id) === upTo) this.reported.set(id, before);
      },
    );
  }

  /** Reads the chat's markers (a chat loaded, or the stream back after a break that may have lost `read` events). */
  async load(id: string): Promise<void> {
    try {
      const { read } = await this.host.api.readState(id);
      this.apply(id, read.visitor?.upTo);
    } catch {
      // Not visible to us any more, or a passing failure: the receipt stays as it was.
    }
  }

  /** A `read` event of the visitor's. */
  visitorRead(id: string, upTo: number): void {
    this.apply(id, upTo);
  }

  /** The chat's tab was dismissed. */
  forget(id: string): void {
    this.reported.delete(id);
  }

  private apply(id: string, upTo: number | undefined): void {
    if (upTo !== undefined && upTo > (this.host.chats.get(id)?.visitorReadUpTo ?? 0)) this.host.chats = withVisitorRead(this.host.chats, id, upTo);
  }
}
