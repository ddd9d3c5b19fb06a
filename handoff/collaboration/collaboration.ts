// Working together in a chat: the holder (or an admin) invites a colleague, who accepts or declines and may leave
// (or is left by the system on going offline); while the holder keeps the chat, a colleague who joined reads and
// writes it too. And consults: private notes between agents about a chat, which never reach the visitor. Every
// change is audited and announced on the hub.
import type { Lang } from '../../knowledge/types.ts';
import type { Agent } from '../agents/agent.ts';
import type { ViewParticipant } from '../conversations/conversation-view.ts';
import { publishMessage } from '../conversations/publish-message.ts';
import { mayView, viewAccessOf, type ViewedConversation } from '../conversations/view-access.ts';
import type { StoredMessage } from '../conversations/conversation-store.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../platform/errors.ts';
import type { ConsultNoteData, Hub, ParticipantChange } from '../platform/hub.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { handoffText, type Messages } from '../routing/handoff-texts.ts';
import type { Presence } from '../routing/presence.ts';
import type { RoutedConversation, RoutingStore } from '../routing/routing-store.ts';
import { actorOf, AuditAction, SYSTEM_ACTOR, type AuditLog } from '../supervision/audit-log.ts';
import type { ConsultNote, Holding, Participant, ParticipantStore } from './participant-store.ts';

export interface CollaborationOptions {
  /** Colleagues (invited or joined) beside the holder in one chat. Range 1-10; default 3. */
  maxColleagues: number;
  /** Consult notes a chat's thread returns (the newest). Range 10-1000; default 200. */
  maxNotes: number;
  /** Chats listed in a colleague's inbox of consults asked of them. Range 1-100; default 20. */
  maxThreads: number;
}

export const defaultCollaborationOptions: CollaborationOptions = { maxColleagues: 3, maxNotes: 200, maxThreads: 20 };

export interface CollaborationDeps {
  store: ParticipantStore;
  /** Which holding of a chat is current (the conversation's routing row), and the system notes the visitor sees. */
  routing: Pick<RoutingStore, 'get' | 'addMessage'>;
  agents: { get(agentId: string): Promise<Agent | undefined> };
  presence: Pick<Presence, 'status'>;
  hub: Hub;
  /** Invitations, answers and departures are audited; none in tests that do not read it. */
  audit?: AuditLog;
  /** A change, its audit row and its system note commit together. Without it, one after the other. */
  unitOfWork?: UnitOfWork;
  /** The knowledge base's texts (messages.yaml) for the visitor's notes, read at each use. */
  messages?: () => Messages | undefined;
  options?: Partial<CollaborationOptions>;
}

/** GET /api/agent/conversations/:id/participants. */
export interface ParticipantsJson {
  conversationId: string;
  /** The holder, while a person has the chat. */
  owner?: { id: string; displayName: string };
  participants: ViewParticipant[];
}

/** An invitation waiting for the colleague's answer (GET /api/agent/chat-invitations). */
export interface ChatInvitationJson {
  conversationId: string;
  from: { id: string; displayName: string };
  owner: { id: string; displayName: string };
  /** What the inviter asked for help with. */
  note?: string;
  invitedAt: string;
  lang: Lang;
  group?: string;
}

/** A consult note as agents read it (the live `consult` event carries the same). */
export type ConsultNoteJson = ConsultNoteData;

/** The consult notes of one chat exchanged with the colleague asked (GET /api/agent/consults). */
export interface ConsultThreadJson {
  conversationId: string;
  notes: ConsultNoteJson[];
}

/** What the participants' part of routing and the view rule read (compose.ts adapts it to routing's ChatColleagues). */
export interface Collaboration {
  /** The chat's invited and joined colleagues while `row`'s holder keeps it, with names. */
  listed(row: RoutedConversation): Promise<ViewParticipant[]>;
  /** The row with the colleagues who joined it, for the view rule (view-access.ts). */
  viewed(row: RoutedConversation): Promise<RoutedConversation & Required<Pick<ViewedConversation, 'participants'>>>;
  /** Chats the agent joined as a colleague (stream topics, typing). Open rows of ended holdings are marked ended. */
  joinedConversationIds(agentId: string): Promise<string[]>;
  invitationsFor(agent: Agent): Promise<ChatInvitationJson[]>;
  participants(conversationId: string, viewer: Agent): Promise<ParticipantsJson>;
  invite(conversationId: string, actor: Agent, input: { agent: string; note?: string }): Promise<ViewParticipant>;
  respond(conversationId: string, agent: Agent, to: 'joined' | 'declined' | 'left'): Promise<ViewParticipant>;
  /**
   * The agent went offline: they leave every chat they joined, as if they had left by hand (the visitor is told,
   * the agents' consoles learn it), audited as a leave by the system. Their invitations stay (they may come back).
   * Call it once per going offline (the presence listener, which runs on one node). Returns the chats left.
   */
  leaveAll(agentId: string): Promise<string[]>;
  notes(conversationId: string, viewer: Agent): Promise<ConsultNoteJson[]>;
  consult(conversationId: string, author: Agent, input: { text: string; to?: string }): Promise<ConsultNoteJson>;
  threadsFor(agent: Agent): Promise<ConsultThreadJson[]>;
}

const CHANGE_AUDIT = {
  invited: AuditAction.colleagueInvited,
  joined: AuditAction.colleagueJoined,
  declined: AuditAction.colleagueDeclined,
  left: AuditAction.colleagueLeft,
} as const satisfies Record<ParticipantChange, string>;

export function createCollaboration(deps: CollaborationDeps): Collaboration {
  const { store, routing, agents, presence, hub, audit } = deps;
  const opts: CollaborationOptions = { ...defaultCollaborationOptions, ...deps.options };
  const inUnit = <T>(work: () => Promise<T>): Promise<T> => (deps.unitOfWork ? deps.unitOfWork.withTransaction(work) : work());

  const holdingOf = (row: RoutedConversation): Holding | undefined =>
    row.status === 'assigned' && row.agentId && row.assignedAt ? { conversationId: row.id, ownerId: row.agentId, ownerAssignedAt: row.assignedAt } : undefined;

  async function current(row: RoutedConversation): Promise<Participant[]> {
    const holding = holdingOf(row);
    return holding ? store.current(holding) : [];
  }

  /** Names per call: a list names a few agents, each read once. */
  function namer() {
    const names = new Map<string, Promise<string>>();
    return (id: string) => {
      if (!names.has(id)) names.set(id, agents.get(id).then((a) => a?.displayName ?? id));
      return names.get(id)!.then((displayName) => ({ id, displayName }));
    };
  }

  async function toView(p: Participant, name = namer()): Promise<ViewParticipant> {
    const [who, by] = await Promise.all([name(p.agentId), name(p.invitedBy)]);
    const view: ViewParticipant = { id: p.agentId, displayName: who.displayName, state: p.state === 'ended' ? 'left' : p.state, invitedBy: by, invitedAt: p.invitedAt };
    if (p.joinedAt !== undefined) view.joinedAt = p.joinedAt;
    if (p.note) view.note = p.note;
    return view;
  }

  async function toNoteJson(n: ConsultNote, name = namer()): Promise<ConsultNoteJson> {
    const json: ConsultNoteJson = { id: n.id, conversationId: n.conversationId, author: await name(n.authorId), text: n.text, createdAt: n.createdAt };
    if (n.toAgentId !== undefined) json.to = await name(n.toAgentId);
    return json;
  }

  /** The chat, its colleagues now, and whether `me` reads it as the holder does (the view rule with colleagues). */
  async function standing(conversationId: string, me: Agent) {
    const row = await routing.get(conversationId);
    const list = await current(row);
    const joined = list.filter((p) => p.state === 'joined').map((p) => p.agentId);
    return { row, list, joined, team: mayView(viewAccessOf(me), { ...row, participants: joined }) };
  }

  /** The agent's open rows in the chats' current holdings; rows of ended holdings are marked ended on the way. */
  async function openNow(agentId: string): Promise<Array<{ participant: Participant; row: RoutedConversation }>> {
    const out: Array<{ participant: Participant; row: RoutedConversation }> = [];
    const stale: number[] = [];
    for (const participant of await store.open(agentId)) {
      const row = await routing.get(participant.conversationId).catch(() => undefined);
      const holding = row && holdingOf(row);
      if (row && holding && holding.ownerId === participant.ownerId && holding.ownerAssignedAt === participant.ownerAssignedAt) out.push({ participant, row });
      else stale.push(participant.id);
    }
    await store.expire(stale);
    return out;
  }

  /** The note the visitor sees when a colleague joins or leaves: a second name in the chat, said in their language. */
  async function visitorNote(row: RoutedConversation, agentId: string, change: 'joined' | 'left'): Promise<StoredMessage> {
    const name = (await agents.get(agentId))?.displayName ?? '';
    const key = change === 'joined' ? 'colleague_joined' : 'colleague_left';
    return routing.addMessage(row.id, { author: 'system', text: handoffText(deps.messages?.(), key, row.lang, { agent: name }), kind: key });
  }

  function announce(conversationId: string, agentId: string, change: ParticipantChange): void {
    const event = { type: 'participants', conversationId, agentId, change } as const;
    hub.publish(`conversation:${conversationId}`, event);
    hub.publish(`agent:${agentId}`, event);
  }

  return {
    async listed(row) {
      const name = namer();
      return Promise.all((await current(row)).map((p) => toView(p, name)));
    },

    async viewed(row) {
      return { ...row, participants: (await current(row)).filter((p) => p.state === 'joined').map((p) => p.agentId) };
    },

    async joinedConversationIds(agentId) {
      return (await openNow(agentId)).filter(({ participant }) => participant.state === 'joined').map(({ row }) => row.id);
    },

    async invitationsFor(agent) {
      const name = namer();
      const out: ChatInvitationJson[] = [];
      for (const { participant: p, row } of await openNow(agent.id)) {
        if (p.state !== 'invited') continue;
        const invitation: ChatInvitationJson = { conversationId: row.id, from: await name(p.invitedBy), owner: await name(p.ownerId), invitedAt: p.invitedAt, lang: row.lang };
        if (p.note) invitation.note = p.note;
        if (row.groupId !== undefined) invitation.group = row.groupId;
        out.push(invitation);
      }
      return out;
    },

    async participants(conversationId, viewer) {
      const { row, list, team } = await standing(conversationId, viewer);
      if (!team) throw new ForbiddenError(`handoff: conversation ${conversationId} is neither yours nor waiting in your groups`);
      const name = namer();
      const json: ParticipantsJson = { conversationId, participants: await Promise.all(list.map((p) => toView(p, name))) };
      const holding = holdingOf(row);
      if (holding) json.owner = await name(holding.ownerId);
      return json;
    },

    async invite(conversationId, actor, input) {
      const row = await routing.get(conversationId);
      const holding = holdingOf(row);
      if (!holding) throw new ConflictError(`handoff: conversation ${conversationId} has no agent to work beside`, 'not_assigned');
      // The holder invites; an admin (a supervisor) may invite on the holder's behalf. Nobody else.
      if (holding.ownerId !== actor.id && actor.role !== 'admin') throw new ForbiddenError(`handoff: only the agent holding ${conversationId} may invite colleagues into it`);
      if (input.agent === actor.id) throw new ValidationError('invalid_agent', 'invite a colleague, not yourself', 'agent');
      const target = await agents.get(input.agent);
      if (!target || target.disabled || target.role === 'editor') throw new ValidationError('unknown_agent', `no active agent ${JSON.stringify(input.agent)}`, 'agent');
      // Someone at work (online, or busy with their own chats) may be asked; an invisible colleague reads as offline.
      const status = presence.status(target.id);
      if (status !== 'online' && status !== 'busy') {
        throw new ConflictError(`handoff: ${target.displayName} is ${status === 'invisible' ? 'offline' : status}; invite a colleague who is online`, 'colleague_unavailable');
      }
      const participant = await inUnit(async () => {
        const p = await store.invite(holding, { agentId: target.id, invitedBy: actor.id, max: opts.maxColleagues, ...(input.note ? { note: input.note } : {}) });
        await audit?.record(actorOf(actor), CHANGE_AUDIT.invited, { type: 'conversation', id: conversationId }, { agent: target.id, agentName: target.displayName });
        return p;
      });
      announce(conversationId, target.id, 'invited');
      return toView(participant);
    },

    async respond(conversationId, agent, to) {
      const row = await routing.get(conversationId);
      const holding = holdingOf(row);
      if (!holding) {
        throw new ConflictError(`handoff: conversation ${conversationId} is no longer with the agent who invited you`, to === 'left' ? 'not_participant' : 'no_invitation');
      }
      const { participant, note } = await inUnit(async () => {
        const p = await store.respond(holding, agent.id, to);
        await audit?.record(actorOf(agent), CHANGE_AUDIT[to], { type: 'conversation', id: conversationId }, {});
        // The visitor sees who is in the chat: a second agent joining (and leaving) is said to them.
        const n = to === 'declined' ? undefined : await visitorNote(row, agent.id, to);
        return { participant: p, note: n };
      });
      if (note) publishMessage(hub, note);
      announce(conversationId, agent.id, to);
      return toView(participant);
    },

    async leaveAll(agentId) {
      const left: string[] = [];
      const failures: unknown[] = [];
      for (const { participant, row } of await openNow(agentId)) {
        if (participant.state !== 'joined') continue;
        const holding = holdingOf(row)!;
        try {
          const note = await inUnit(async () => {
            await store.respond(holding, agentId, 'left');
            const agentName = (await agents.get(agentId))?.displayName ?? agentId;
            await audit?.record(SYSTEM_ACTOR, CHANGE_AUDIT.left, { type: 'conversation', id: row.id }, { agent: agentId, agentName, reason: 'offline' });
            return visitorNote(row, agentId, 'left');
          });
          publishMessage(hub, note);
          announce(row.id, agentId, 'left');
          left.push(row.id);
        } catch (err) {
          // Left by hand meanwhile, or the holding ended meanwhile: nothing is left to end in that chat. Any other
          // failure does not keep the colleague in the other chats.
          if (!(err instanceof ConflictError)) failures.push(err);
        }
      }
      if (failures.length > 0) throw new AggregateError(failures, `collaboration: ${failures.length} chat(s) not left for offline agent ${agentId}`);
      return left;
    },

    async notes(conversationId, viewer) {
      const { team } = await standing(conversationId, viewer);
      const all = await store.notes(conversationId, opts.maxNotes);
      // A colleague asked from outside the chat reads what was exchanged with them, and nothing else of it.
      const visible = team ? all : all.filter((n) => n.authorId === viewer.id || n.toAgentId === viewer.id);
      if (!team && visible.length === 0) throw new ForbiddenError(`handoff: conversation ${conversationId} is neither yours nor waiting in your groups`);
      const name = namer();
      return Promise.all(visible.map((n) => toNoteJson(n, name)));
    },

    async consult(conversationId, author, input) {
      const { row, joined } = await standing(conversationId, author);
      if (row.status !== 'assigned') throw new ConflictError(`handoff: conversation ${conversationId} is not with an agent now`, 'not_assigned');
      const inChat = row.agentId === author.id || joined.includes(author.id) || author.role === 'admin';
      let to = input.to;
      if (!inChat) {
        // Asked from outside: answers go to whoever asked them in this chat (the latest asker unless told).
        const asked = (await store.notes(conversationId, opts.maxNotes)).filter((n) => n.toAgentId === author.id);
        const askers = [...new Set(asked.map((n) => n.authorId))];
        if (askers.length === 0) throw new ForbiddenError(`handoff: conversation ${conversationId} is neither yours nor a consult asked of you`);
        if (to === undefined) to = asked[asked.length - 1]!.authorId;
        else if (!askers.includes(to)) throw new ValidationError('invalid_recipient', 'answer a colleague who asked you about this chat', 'to');
      } else if (to !== undefined) {
        if (to === author.id) throw new ValidationError('invalid_recipient', 'ask a colleague, not yourself', 'to');
        const target = await agents.get(to);
        if (!target || target.disabled || target.role === 'editor') throw new ValidationError('unknown_agent', `no active agent ${JSON.stringify(to)}`, 'to');
      }
      const note = await toNoteJson(await store.addNote(conversationId, { authorId: author.id, text: input.text, ...(to !== undefined ? { toAgentId: to } : {}) }));
      // The chat's agents follow its topic; the colleague asked may not be one of them.
      hub.publish(`conversation:${conversationId}`, { type: 'consult', conversationId, note });
      if (to !== undefined) hub.publish(`agent:${to}`, { type: 'consult', conversationId, note });
      return note;
    },

    async threadsFor(agent) {
      const asked = await store.askedOf(agent.id, opts.maxNotes);
      const ids = [...new Set(asked.map((n) => n.conversationId))];
      const name = namer();
      const threads: ConsultThreadJson[] = [];
      for (const id of ids) {
        if (threads.length >= opts.maxThreads) break;
        // Only chats still with an agent: a consult about a closed chat has nothing left to answer.
        const row = await routing.get(id).catch(() => undefined);
        if (row?.status !== 'assigned') continue;
        const notes = (await store.notes(id, opts.maxNotes)).filter((n) => n.authorId === agent.id || n.toAgentId === agent.id);
        threads.push({ conversationId: id, notes: await Promise.all(notes.map((n) => toNoteJson(n, name))) });
      }
      return threads;
    },
  };
}
