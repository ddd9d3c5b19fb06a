// A faq_drafts row and a source message row as both engines read them, and the drafts and messages made of them.
import type { Lang } from '../../knowledge/types.ts';
import type { MessageAuthor } from '../conversations/conversation-store.ts';
import type { DraftSourceMessage, FaqDraft, FaqDraftStatus } from './faq-draft-store.ts';

export interface FaqDraftRow {
  id: number;
  conversation_id: string;
  message_id: number;
  created_by: string;
  created_at: string;
  lang: Lang;
  question: string;
  answer: string;
  suggested_entry: string | null;
  status: FaqDraftStatus;
  handled_by: string | null;
  handled_at: string | null;
}

/** The columns of messages a draft is made from. */
export interface DraftMessageRow {
  id: number;
  author: MessageAuthor;
  text: string;
  kind: string | null;
}

export function toDraftSourceMessage(r: DraftMessageRow): DraftSourceMessage {
  return r.kind === null ? { id: r.id, author: r.author, text: r.text } : { id: r.id, author: r.author, text: r.text, kind: r.kind };
}

export function toFaqDraft(r: FaqDraftRow): FaqDraft {
  const draft: FaqDraft = {
    id: r.id,
    conversationId: r.conversation_id,
    messageId: r.message_id,
    createdBy: r.created_by,
    createdAt: r.created_at,
    lang: r.lang,
    question: r.question,
    answer: r.answer,
    status: r.status,
  };
  if (r.suggested_entry !== null) draft.suggestedEntry = r.suggested_entry;
  if (r.handled_by !== null) draft.handledBy = r.handled_by;
  if (r.handled_at !== null) draft.handledAt = r.handled_at;
  return draft;
}
