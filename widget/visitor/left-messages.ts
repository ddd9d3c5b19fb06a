// The messages this chat left for agents (outside hours, nobody online) and their answers, read from the server
// when the panel opens on a conversation, and when an agent message arrives while one still waits:
// the answer then shows as the reply to what was left, with both times, the next time the visitor opens the widget.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VisitorTicket } from '../../handoff/http/wire.ts';

export interface LeftMessagesSource {
  /** The conversation followed now, if any. */
  readonly conversationId: string | undefined;
  /** Its left messages ([] when there is no conversation or the read failed). */
  leftMessages(): Promise<VisitorTicket[]>;
}

export class LeftMessages implements ReactiveController {
  tickets: VisitorTicket[] = [];
  /** What the last read was for, since the panel opened (undefined: read at the next sync). */
  private readFor: { id: string; leftCount: number; newestAgentMessage: number } | undefined;
  private reading = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: LeftMessagesSource,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** The left message whose answer is the stored message `id`, if it is one. */
  answeredBy(id: number | undefined): VisitorTicket | undefined {
    return id === undefined ? undefined : this.tickets.find((t) => t.answerMessageId === id);
  }

  /** Left messages still waiting for an answer. */
  waiting(): VisitorTicket[] {
    return this.tickets.filter((t) => t.status === 'open');
  }

  /**
   * While the panel is open (only it shows them), reads again when what they depend on changed: the conversation,
   * the panel being opened, a newer agent message while a message waits (its answer may be that message), or a
   * message just left (`leftCount`). A closed widget reads nothing: most chats never leave a message.
   */
  sync(state: { open: boolean; newestAgentMessage: number; leftCount: number }): void {
    const id = this.source.conversationId;
    if (!id) {
      if (this.tickets.length > 0) {
        this.tickets = [];
        this.host.requestUpdate();
      }
      this.readFor = undefined;
      return;
    }
    if (!state.open) {
      this.readFor = undefined;
      return;
    }
    const last = this.readFor;
    const due =
      !last ||
      last.id !== id ||
      last.leftCount !== state.leftCount ||
      (this.waiting().length > 0 && state.newestAgentMessage > last.newestAgentMessage);
    if (!due) return;
    this.readFor = { id, leftCount: state.leftCount, newestAgentMessage: state.newestAgentMessage };
    void this.read(id);
  }

  private async read(id: string): Promise<void> {
    const seq = ++this.reading;
    const tickets = await this.source.leftMessages();
    // A later read, or another conversation since: this answer is stale.
    if (seq !== this.reading || id !== this.source.conversationId) return;
    if (JSON.stringify(tickets) === JSON.stringify(this.tickets)) return;
    this.tickets = tickets;
    this.host.requestUpdate();
  }
}
