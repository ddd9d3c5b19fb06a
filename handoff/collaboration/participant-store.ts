// What working together in a chat keeps: colleagues invited into a chat beside its holder, and consult notes
// (private notes between agents about a chat). SQLite and PostgreSQL adapters (migrations 023 and 007); the row
// shapes and their mapping are here too, shared by both.

/** invited -> joined (accepted) or declined; joined -> left; `ended`: its holding ended while it was open. */
export type ParticipantState = 'invited' | 'joined' | 'declined' | 'left' | 'ended';

/**
 * One holding of a chat: its holder and when they got it. A transfer, a requeue or a close starts another holding
 * (or none): the routing store's row says which holding is current, this store never reads the conversations.
 */
export interface Holding {
  conversationId: string;
  ownerId: string;
  ownerAssignedAt: string;
}

/**
 * A colleague's place in one holding of a chat. It counts only while that holding is the chat's current one, so a
 * transfer, a requeue or a close ends it without a write here (the holder stays the owner; transfers stay as they are).
 */
export interface Participant {
  id: number;
  conversationId: string;
  agentId: string;
  ownerId: string;
  ownerAssignedAt: string;
  /** The holder, or an admin who invited on the holder's behalf. */
  invitedBy: string;
  state: ParticipantState;
  /** What the inviter asked for help with ('' when nothing). */
  note: string;
  invitedAt: string;
  joinedAt?: string;
  endedAt?: string;
}

/** A private note between agents about a chat: never a message, never shown to the visitor. */
export interface ConsultNote {
  id: number;
  conversationId: string;
  authorId: string;
  /** The colleague asked; absent: for the agents of the chat. */
  toAgentId?: string;
  text: string;
  createdAt: string;
}

export interface InviteInput {
  agentId: string;
  invitedBy: string;
  note?: string;
  /** Most colleagues (invited or joined) in one holding; a further invitation is a ConflictError `chat_full`. */
  max: number;
}

export interface ParticipantStore {
  /** The holding's invited and joined colleagues, oldest first. */
  current(holding: Holding): Promise<Participant[]>;
  /** The agent's invitations and joined chats in any holding (the caller keeps the current ones), oldest first. */
  open(agentId: string): Promise<Participant[]>;
  /** Open rows whose holding has ended (found by the caller): marked `ended`, so open() stays short. */
  expire(ids: readonly number[]): Promise<void>;
  /**
   * Invites a colleague into the holding, in one transaction with the checks: ConflictError `holder` when the
   * colleague is the holder, `already_invited` when invited or joined already, `chat_full` at `max`.
   */
  invite(holding: Holding, input: InviteInput): Promise<Participant>;
  /**
   * The colleague's answer or departure within the holding: `joined` or `declined` from `invited`, `left` from
   * `joined`. ConflictError `no_invitation` (`not_participant` for `left`) when there is no such row.
   */
  respond(holding: Holding, agentId: string, to: 'joined' | 'declined' | 'left'): Promise<Participant>;
  addNote(conversationId: string, note: { authorId: string; toAgentId?: string; text: string }): Promise<ConsultNote>;
  /** The chat's consult notes, oldest first: the newest `limit` of them. */
  notes(conversationId: string, limit: number): Promise<ConsultNote[]>;
  /** Notes asked of the agent (to_agent_id) in any chat, newest first, at most `limit`. */
  askedOf(agentId: string, limit: number): Promise<ConsultNote[]>;
}

/** The stored row (both engines' column names). */
export interface ParticipantRow {
  id: number;
  conversation_id: string;
  agent_id: string;
  owner_id: string;
  owner_assigned_at: string;
  invited_by: string;
  state: ParticipantState;
  note: string;
  invited_at: string;
  joined_at: string | null;
  ended_at: string | null;
}

export interface ConsultNoteRow {
  id: number;
  conversation_id: string;
  author_id: string;
  to_agent_id: string | null;
  text: string;
  created_at: string;
}

export function toParticipant(row: ParticipantRow): Participant {
  const p: Participant = {
    id: Number(row.id),
    conversationId: row.conversation_id,
    agentId: row.agent_id,
    ownerId: row.owner_id,
    ownerAssignedAt: row.owner_assigned_at,
    invitedBy: row.invited_by,
    state: row.state,
    note: row.note,
    invitedAt: row.invited_at,
  };
  if (row.joined_at !== null) p.joinedAt = row.joined_at;
  if (row.ended_at !== null) p.endedAt = row.ended_at;
  return p;
}

export function toConsultNote(row: ConsultNoteRow): ConsultNote {
  const n: ConsultNote = { id: Number(row.id), conversationId: row.conversation_id, authorId: row.author_id, text: row.text, createdAt: row.created_at };
  if (row.to_agent_id !== null) n.toAgentId = row.to_agent_id;
  return n;
}

/** The state a response moves from, and the code of the refusal when there is no such participation. */
export const RESPONSE_FROM: Readonly<Record<'joined' | 'declined' | 'left', { from: ParticipantState; code: string }>> = {
  joined: { from: 'invited', code: 'no_invitation' },
  declined: { from: 'invited', code: 'no_invitation' },
  left: { from: 'joined', code: 'not_participant' },
};
