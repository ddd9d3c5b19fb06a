// What the agent does to chats from the shell: take one from the queue, switch tabs, set a status, and the chat
// pane's events (sent, closed, transferred, dismissed). Apart from the element, which only wires them to the page.
import type { AgentStatus, ViewMessage } from './console-api.ts';
import { nextActive, withEnded, withMessage, withRead, withView, without } from './console-chats.ts';
import { showError, type ConsoleHost } from './console-host.ts';
import type { ConsoleLive } from './console-live.ts';
import type { TransferAgentOption } from './chat/console-transfer-dialog.ts';

export class ConsoleChatActions {
  constructor(
    private readonly host: ConsoleHost,
    private readonly live: ConsoleLive,
  ) {}

  async take(id: string) {
    const host = this.host;
    const me = host.me;
    if (!me) return;
    this.live.taking.add(id);
    host.toast = '';
    try {
      const view = await host.api.take(id);
      this.live.rememberNames(view);
      host.chats = withView(host.chats, view, me.id);
      if (!host.order.includes(id)) host.order = [...host.order, id];
      void this.live.reads.load(id);
      this.activate(id);
    } catch (err) {
      showError(host, err);
    } finally {
      this.live.taking.delete(id);
      void this.live.refreshQueue();
    }
  }

  activate(id: string) {
    this.host.active = id;
    this.host.screen = 'chats';
    this.host.chats = withRead(this.host.chats, id);
    // The agent opened the tab: what it shows is read (the visitor's "read" receipt).
    if (document.visibilityState === 'visible') this.live.reads.report(id);
  }

  markRead() {
    const host = this.host;
    if (host.active && host.screen === 'chats') {
      host.chats = withRead(host.chats, host.active);
      if (document.visibilityState === 'visible') this.live.reads.report(host.active);
    }
  }

  async setStatus(status: AgentStatus) {
    try {
      this.host.myStatus = (await this.host.api.setStatus(status)).status;
    } catch (err) {
      showError(this.host, err);
    }
  }

  // The chat pane's events. Arrow functions: Lit calls a listener with the element as `this`.

  readonly onMessageSent = (e: CustomEvent<{ conversationId: string; message: ViewMessage }>) => {
    const next = withMessage(this.host.chats, e.detail.conversationId, e.detail.message, true);
    if (next) this.host.chats = next;
  };

  readonly onChatClosed = (e: CustomEvent<{ conversationId: string }>) => {
    this.host.chats = withEnded(this.host.chats, e.detail.conversationId, { why: 'closed', by: 'agent' }, 'closed');
    void this.live.refreshView(e.detail.conversationId);
  };

  readonly onTransferred = (e: CustomEvent<{ conversationId: string }>) => {
    this.host.chats = withEnded(this.host.chats, e.detail.conversationId, { why: 'transferred' });
    void this.live.refreshView(e.detail.conversationId);
  };

  readonly onDismiss = (e: CustomEvent<{ conversationId: string }>) => {
    const host = this.host;
    const id = e.detail.conversationId;
    const next = host.active === id ? nextActive(host.order, id) : host.active;
    host.order = host.order.filter((x) => x !== id);
    host.chats = without(host.chats, id);
    this.live.reads.forget(id);
    host.active = next;
    if (next) host.chats = withRead(host.chats, next);
  };

  /** Who a chat can be transferred to: colleagues and agents seen in presence, with their status, by name. */
  transferAgents(): TransferAgentOption[] {
    const { me, colleagues, presence, names } = this.host;
    const list = new Map<string, TransferAgentOption>();
    // Every enabled colleague (GET /api/agent/colleagues), with presence kept current by the stream.
    for (const a of colleagues) {
      if (a.id !== me?.id && !a.disabled) list.set(a.id, { id: a.id, name: a.displayName, status: presence.get(a.id) ?? 'offline' });
    }
    for (const [id, status] of presence) {
      if (id !== me?.id && !list.has(id)) list.set(id, { id, name: names.get(id) ?? id.slice(0, 8), status });
    }
    return [...list.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
