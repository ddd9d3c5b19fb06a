// The rows of the attachment tables as both engines return them, and the rules both adapters share: who may
// send an attachment into a conversation now, and the message that carries one.
import { ConflictError } from '../../platform/errors.ts';
import type { StoredMessage } from '../conversation-store.ts';
import { toMessageAttachment, type AttachmentType, type StoredAttachment } from './attachment.ts';
import type { NewAttachment } from './attachment-store.ts';

export interface AttachmentRow {
  id: string;
  conversation_id: string;
  author: 'visitor' | 'agent';
  agent_id: string | null;
  name: string;
  type: AttachmentType;
  size: number;
  created_at: string;
}

export function toAttachment(row: AttachmentRow): StoredAttachment {
  const a: StoredAttachment = {
    id: row.id,
    conversationId: row.conversation_id,
    author: row.author,
    name: row.name,
    type: row.type,
    size: Number(row.size),
    createdAt: row.created_at,
  };
  if (row.agent_id !== null) a.agentId = row.agent_id;
  return a;
}

/**
 * Why an attachment may not go into a conversation now, or undefined when it may: the visitor's while a person
 * has the chat (queued or assigned), an agent's while `holder` (that agent unless said) holds it. Both engines
 * decide the same way.
 */
export function attachmentRefusal(
  input: Pick<NewAttachment, 'author' | 'agentId' | 'holder' | 'conversationId'>,
  row: { status: string; agent_id: string | null | undefined },
): ConflictError | undefined {
  if (input.author === 'visitor') {
    return row.status === 'queued' || row.status === 'assigned'
      ? undefined
      : new ConflictError('files can be sent while the chat waits for or is with a person', 'not_with_person');
  }
  const holder = input.holder ?? input.agentId;
  return row.status === 'assigned' && input.agentId !== undefined && holder !== undefined && row.agent_id === holder
    ? undefined
    : new ConflictError(`handoff: conversation ${input.conversationId} is not yours (anymore)`);
}

/**
 * Whom an agent's file goes in beside: the agent themselves, or, for a colleague who joined the chat (the view
 * rule's `participants`, handoff/collaboration/), its holder, as their messages do. Anyone else is refused by
 * attachmentRefusal as before.
 */
export function holderFor(agentId: string, row: { status: string; agentId?: string | undefined; participants?: readonly string[] | undefined }): string {
  return row.status === 'assigned' && row.agentId !== undefined && row.participants?.includes(agentId) ? row.agentId : agentId;
}

/** The message carrying an attachment: its name is its text, so transcripts and search show what was sent. */
/** The attachment as both engines store it, stamped `now`. */
export function storedAttachment(input: NewAttachment, now: string): StoredAttachment {
  return {
    id: input.id,
    conversationId: input.conversationId,
    author: input.author,
    name: input.name,
    type: input.type,
    size: input.size,
    createdAt: now,
    ...(input.agentId !== undefined ? { agentId: input.agentId } : {}),
  };
}

export function attachmentMessage(id: number, attachment: StoredAttachment): StoredMessage {
  const message: StoredMessage = {
    id,
    conversationId: attachment.conversationId,
    author: attachment.author,
    text: attachment.name,
    createdAt: attachment.createdAt,
    attachment: toMessageAttachment(attachment),
  };
  if (attachment.agentId !== undefined) message.agentId = attachment.agentId;
  return message;
}
