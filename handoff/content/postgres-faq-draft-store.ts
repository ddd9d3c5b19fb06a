// FAQ drafts on PostgreSQL, and the messages of a chat they are made from (sqlite-faq-draft-store.ts's twin).
import type { PgDb } from '../postgres/pg-db.ts';
import type { MessageAuthor } from '../conversations/conversation-store.ts';
import type { Lang } from '../../knowledge/types.ts';
import type { DraftSourceMessage, FaqDraft, FaqDraftStatus, FaqDraftStore } from './faq-draft-store.ts';

interface Row {
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

interface MessageRow {
  id: number;
  author: MessageAuthor;
  text: string;
  kind: string | null;
}

export function createPostgresFaqDraftStore(db: PgDb): FaqDraftStore {
  return {
    async create(draft) {
      const row = await db.one<Row>(
        `INSERT INTO faq_drafts (conversation_id, message_id, created_by, created_at, lang, question, answer, suggested_entry)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [draft.conversationId, draft.messageId, draft.createdBy, draft.createdAt, draft.lang, draft.question, draft.answer, draft.suggestedEntry ?? null],
      );
      return toDraft(row!);
    },
    async get(id) {
      const row = await db.one<Row>('SELECT * FROM faq_drafts WHERE id = $1', [id]);
      return row ? toDraft(row) : undefined;
    },
    async list({ status, limit }) {
      const rows = await db.query<Row>('SELECT * FROM faq_drafts WHERE status = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [status, limit]);
      return rows.map(toDraft);
    },
    async handle(id, status, by, at) {
      // One conditional statement: of two editors handling one draft at once, the move is made once.
      const row = await db.one<Row>(
        `UPDATE faq_drafts SET status = $1, handled_by = $2, handled_at = $3
         WHERE id = $4 AND (status = 'open' OR (status = 'used' AND $1 = 'used')) RETURNING *`,
        [status, by, at, id],
      );
      return row ? toDraft(row) : undefined;
    },
    async message(conversationId, messageId) {
      const row = await db.one<MessageRow>('SELECT id, author, text, kind FROM messages WHERE conversation_id = $1 AND id = $2', [conversationId, messageId]);
      return row ? toMessage(row) : undefined;
    },
    async messagesBefore(conversationId, messageId, limit) {
      const rows = await db.query<MessageRow>(
        'SELECT id, author, text, kind FROM messages WHERE conversation_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3',
        [conversationId, messageId, limit],
      );
      return rows.map(toMessage);
    },
    async hasHeld(conversationId, agentId) {
      // Any trace of the agent on the chat: today's holder (kept after close), a transfer to or from them, a reply, a close.
      const row = await db.one<{ held: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1 AND agent_id = $2)
             OR EXISTS (SELECT 1 FROM conversation_transfers WHERE conversation_id = $1 AND (to_agent_id = $2 OR from_agent_id = $2))
             OR EXISTS (SELECT 1 FROM messages WHERE conversation_id = $1 AND author = 'agent' AND agent_id = $2)
             OR EXISTS (SELECT 1 FROM conversation_closures WHERE conversation_id = $1 AND agent_id = $2) AS held`,
        [conversationId, agentId],
      );
      return row?.held === true;
    },
  };
}

function toMessage(r: MessageRow): DraftSourceMessage {
  return r.kind === null ? { id: r.id, author: r.author, text: r.text } : { id: r.id, author: r.author, text: r.text, kind: r.kind };
}

function toDraft(r: Row): FaqDraft {
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
