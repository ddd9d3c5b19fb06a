// FAQ drafts on better-sqlite3: agents' answers saved for editors, plus the reads that decide whether an agent may save one.
import type { Lang } from '../../knowledge/types.ts';
import type { MessageAuthor } from '../conversations/conversation-store.ts';

export const FAQ_DRAFT_STATUSES = ['open', 'used', 'dismissed'] as const;
export type FaqDraftStatus = (typeof FAQ_DRAFT_STATUSES)[number];

/** What the agent route stores (question and answer already masked). */
export interface NewFaqDraft {
  conversationId: string;
  messageId: number;
  createdBy: string;
  createdAt: string;
  lang: Lang;
  question: string;
  answer: string;
  suggestedEntry?: string;
}

export interface FaqDraft extends NewFaqDraft {
  id: number;
  status: FaqDraftStatus;
  handledBy?: string;
  handledAt?: string;
}

/** A message of a conversation as the draft checks need it. */
export interface DraftSourceMessage {
  id: number;
  author: MessageAuthor;
  text: string;
  kind?: string;
}

export interface FaqDraftQuery {
  status: FaqDraftStatus;
  limit: number;
}

export interface FaqDraftStore {
  create(draft: NewFaqDraft): Promise<FaqDraft>;
  get(id: number): Promise<FaqDraft | undefined>;
  /** Drafts of a status, newest first. */
  list(query: FaqDraftQuery): Promise<FaqDraft[]>;
  /**
   * Moves a draft to `used` or `dismissed`. Only from `open`, except `used` again from `used` (the editor made
   * the change file once more). Returns the draft after the change, or undefined when the move is not allowed.
   */
  handle(id: number, status: Exclude<FaqDraftStatus, 'open'>, by: string, at: string): Promise<FaqDraft | undefined>;
  /** One message of the conversation, or undefined (another conversation's message counts as absent). */
  message(conversationId: string, messageId: number): Promise<DraftSourceMessage | undefined>;
  /** Messages of the conversation before `messageId`, newest first. */
  messagesBefore(conversationId: string, messageId: number, limit: number): Promise<DraftSourceMessage[]>;
  /** Whether the agent holds or ever held the chat: holder, transfer party, author of a reply, or closer. */
  hasHeld(conversationId: string, agentId: string): Promise<boolean>;
}
