// Working together, the console's side: invitations into colleagues' chats, the participants of the chats open here,
// and consult notes (the chats' own, and consults asked of this agent from chats they are not in), kept current by
// the live stream's `participants` and `consult` events. Apart from the element, which only renders.
import type { ReactiveController } from 'lit';
import type { ChatInvitationJson, ConsultNoteJson } from '../console-api.ts';
import type { ConsoleAlert } from '../console-alert.ts';
import { withEnded, withRead } from '../console-chats.ts';
import type { ConsoleWireEvent } from '../console-connection.ts';
import { showError, type ConsoleHost } from '../console-host.ts';
import type { ConsoleLive } from '../console-live.ts';
import type { ConsultThread } from './console-colleague-requests.ts';

export class ConsoleTeamwork implements ReactiveController {
  /** Invitations waiting for this agent's answer. */
  invitations: ChatInvitationJson[] = [];
  /** Consult notes by chat, id order, each once. */
  private readonly notes = new Map<string, ConsultNoteJson[]>();
  /** Chats whose notes were asked for (once per chat and stream; the stream adds the new ones). */
  private readonly loaded = new Set<string>();
  /** Chats in which a colleague asked this agent something. */
  private readonly askedIn = new Set<string>();
  /** Per chat, the latest note a colleague sent while this console was open (it unfolds a folded consult). */
  private readonly arrived = new Map<string, number>();

  constructor(
    private readonly host: ConsoleHost,
    private readonly live: ConsoleLive,
    private readonly alert: ConsoleAlert,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  onEvent(e: ConsoleWireEvent): void {
    const me = this.host.me;
    if (!me) return;
    switch (e.event) {
      case 'ready':
        // After a (re)connection: what was missed meanwhile is read again.
        this.loaded.clear();
        void this.refresh();
        break;
      case 'participants': {
        const { conversationId, agentId, change } = e.data;
        if (agentId === me.id) {
          if (change === 'invited') {
            this.alert.beep();
            this.alert.flash(this.host.strings.teamwork.newInvitation);
          }
          if (change === 'joined') void this.live.loadChat(conversationId, false);
          // Left, by hand in another tab or by the system when this agent went offline: the tab ends here (the view
          // is no longer readable, so a refetch would leave it looking writable).
          if (change === 'left' && this.host.chats.get(conversationId)?.held) this.host.chats = withEnded(this.host.chats, conversationId, { why: 'left' });
          void this.refreshInvitations();
        }
        // Someone joined, left or was invited into a chat open here: its participants (and rights) change.
        if (this.host.chats.has(conversationId)) void this.live.refreshView(conversationId);
        break;
      }
      case 'consult':
        this.add(e.data);
        if (e.data.to?.id === me.id) this.askedIn.add(e.data.conversationId);
        if (e.data.author.id !== me.id) {
          this.arrived.set(e.data.conversationId, e.data.id);
          this.alert.flash(this.host.strings.teamwork.newConsult);
        }
        this.host.requestUpdate();
        break;
      default:
        break;
    }
  }

  /** The chat's consult notes (read from the server the first time they are wanted). */
  notesFor(conversationId: string): ConsultNoteJson[] {
    if (!this.loaded.has(conversationId)) {
      this.loaded.add(conversationId);
      void this.load(conversationId);
    }
    return this.notes.get(conversationId) ?? [];
  }

  /** The latest note a colleague sent live in the chat (0: none). */
  arrivedIn(conversationId: string): number {
    return this.arrived.get(conversationId) ?? 0;
  }

  /** Consults asked of this agent about chats they do not work here (those show in the chat itself). */
  threads(): ConsultThread[] {
    const out: ConsultThread[] = [];
    for (const id of this.askedIn) {
      if (this.host.chats.get(id)?.held) continue;
      out.push({ conversationId: id, notes: this.notes.get(id) ?? [], arrived: this.arrivedIn(id) });
    }
    return out;
  }

  // ---- the elements' events (arrow functions: Lit calls a listener with the element as `this`) ----

  readonly onConsultSent = (e: CustomEvent<{ note: ConsultNoteJson }>) => {
    this.add(e.detail.note);
    this.host.requestUpdate();
  };

  readonly onInvitationAnswered = (e: CustomEvent<{ conversationId: string; accepted: boolean }>) => {
    const { conversationId, accepted } = e.detail;
    this.invitations = this.invitations.filter((i) => i.conversationId !== conversationId);
    this.host.requestUpdate();
    if (accepted) {
      void this.live.loadChat(conversationId, false).then(() => {
        const host = this.host;
        if (!host.chats.has(conversationId)) return;
        host.active = conversationId;
        host.screen = 'chats';
        host.chats = withRead(host.chats, conversationId);
      });
    }
  };

  readonly onColleagueInvited = (e: CustomEvent<{ conversationId: string }>) => {
    void this.live.refreshView(e.detail.conversationId);
  };

  readonly onLeaveChat = async (e: CustomEvent<{ conversationId: string }>) => {
    const host = this.host;
    const id = e.detail.conversationId;
    try {
      await host.api.answerInvitation(id, 'leave');
      host.chats = withEnded(host.chats, id, { why: 'left' });
    } catch (err) {
      showError(host, err);
      void this.live.refreshView(id);
    }
  };

  // ---- server reads ----

  private async refresh(): Promise<void> {
    await Promise.all([this.refreshInvitations(), this.refreshThreads()]);
  }

  private async refreshInvitations(): Promise<void> {
    try {
      this.invitations = (await this.host.api.chatInvitations()).invitations;
      this.host.requestUpdate();
    } catch {
      // The next event or reconnection reads them again.
    }
  }

  private async refreshThreads(): Promise<void> {
    try {
      const { threads } = await this.host.api.consults();
      this.askedIn.clear();
      for (const thread of threads) {
        this.askedIn.add(thread.conversationId);
        for (const note of thread.notes) this.add(note);
      }
      this.host.requestUpdate();
    } catch {
      // As above.
    }
  }

  private async load(conversationId: string): Promise<void> {
    try {
      for (const note of (await this.host.api.consultNotes(conversationId)).notes) this.add(note);
      this.host.requestUpdate();
    } catch {
      // Not readable (no longer the agent's): the chat shows none.
    }
  }

  private add(note: ConsultNoteJson): void {
    const list = this.notes.get(note.conversationId) ?? [];
    if (list.some((n) => n.id === note.id)) return;
    this.notes.set(note.conversationId, [...list, note].sort((a, b) => a.id - b.id));
  }
}
