// What both engines' transcript stores share around their SQL: a search hit's row and the page made of the rows,
// and a term as a LIKE / ILIKE pattern.
import type { ConversationStatus, MessageAuthor } from '../conversations/conversation-store.ts';
import type { TranscriptHit, TranscriptPage } from './transcript-store.ts';

/** A message found by a search, with its conversation's status. */
export interface HitRow {
  id: number;
  conversation_id: string;
  author: MessageAuthor;
  text: string;
  created_at: string;
  status: ConversationStatus;
  /** The conversation's holder, or its last one. */
  agent_id: string | null;
}

/** The page of a search that asked for `limit` + 1 rows: the one more tells whether another page exists. */
export function transcriptPage(rows: readonly HitRow[], limit: number): TranscriptPage {
  return { hits: rows.slice(0, limit).map(toHit), more: rows.length > limit };
}

/** A term as a LIKE (ILIKE) pattern matching it anywhere; `%`, `_` and the escape character `\` itself are literal. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

function toHit(row: HitRow): TranscriptHit {
  return {
    conversationId: row.conversation_id,
    messageId: row.id,
    author: row.author,
    text: row.text,
    createdAt: row.created_at,
    status: row.status,
    ...(row.agent_id !== null && row.agent_id !== undefined ? { agentId: row.agent_id } : {}),
  };
}
