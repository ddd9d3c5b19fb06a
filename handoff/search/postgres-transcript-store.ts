// The TranscriptStore on PostgreSQL (DATABASE_URL): resume reads in one statement, search by ILIKE on pg_trgm.
import { toMessage, type MessageRow } from '../conversations/conversation-rows.ts';
import { viewableConversationIds, viewAccessValues } from '../conversations/postgres-view-access.ts';
import type { PgDb, SqlValue } from '../postgres/pg-db.ts';
import { likePattern, transcriptPage, type HitRow } from './transcript-rows.ts';
import { defaultTranscriptStoreOptions, MAX_VISITOR_CONVERSATIONS, toVisitorConversation, type TranscriptPage, type TranscriptQuery, type TranscriptStore, type TranscriptStoreOptions, type VisitorConversationRow } from './transcript-store.ts';

const MESSAGE_COLUMNS = `id, conversation_id, author, text, kind, entry_id, confidence, agent_id, created_at,
  client_message_id, client_receipt, reply_id, attachment`;

export function createPostgresTranscriptStore(
  db: PgDb,
  options: Partial<TranscriptStoreOptions> = {},
): TranscriptStore {
  const { maxPageSize, maxSearchLimit } = { ...defaultTranscriptStoreOptions, ...options };

  return {
    async messagesAfter(conversationIds, after, limit) {
      if (conversationIds.length === 0) return [];
      const capped = Math.max(1, Math.min(Math.trunc(limit), maxPageSize));
      // One statement, one snapshot; and since message inserts commit in id order (postgres-message-order.ts),
      // no id below the last one read can still appear: the page is a gap-free prefix.
      const rows = await db.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
         WHERE id > $1 AND conversation_id = ANY($2::text[])
         ORDER BY id LIMIT $3`,
        [after, [...conversationIds], capped],
      );
      return rows.map(toMessage);
    },

    async latestMessageId() {
      return (await db.one<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM messages'))?.id ?? 0;
    },

    async conversationsOfVisitor(visitorId, limit) {
      const capped = Math.max(1, Math.min(Math.trunc(limit), MAX_VISITOR_CONVERSATIONS));
      const rows = await db.query<VisitorConversationRow>(
        `SELECT c.id, c.status, c.agent_id, c.group_id, c.created_at, c.updated_at,
           (SELECT count(*) FROM messages AS m WHERE m.conversation_id = c.id) AS messages
         FROM conversations AS c
         WHERE c.visitor_id = $1
         ORDER BY c.created_at DESC, c.id DESC LIMIT $2`,
        [visitorId, capped],
      );
      return rows.map(toVisitorConversation);
    },

    async search(query: TranscriptQuery): Promise<TranscriptPage> {
      const terms = query.terms.filter((t) => t !== '');
      if (terms.length === 0) return { hits: [], more: false };
      const limit = Math.max(1, Math.min(Math.trunc(query.limit), maxSearchLimit));
      const params: SqlValue[] = [];
      const bind = (value: SqlValue): string => {
        params.push(value);
        return `$${params.length}`;
      };
      // One ILIKE per term (not ILIKE ALL(array)): the trigram index serves each, and PostgreSQL intersects
      // them. Terms under three characters have no trigram to look up; ILIKE is still exact for them (the
      // index only narrows what is rechecked), which is what SQLite's LIKE path did.
      const conditions = terms.map((term) => `m.text ILIKE ${bind(likePattern(term))}`);
      conditions.push(`m.id < ${bind(query.before ?? Number.MAX_SAFE_INTEGER)}`);
      if (query.access.kind !== 'every') {
        const [viewer, groups] = viewAccessValues(query.access);
        conditions.push(`m.conversation_id IN (${viewableConversationIds(bind(viewer), bind(groups))})`);
      }
      if (query.heldBy !== undefined) {
        conditions.push(`m.conversation_id IN (SELECT conversation_id FROM conversation_agents WHERE agent_id = ${bind(query.heldBy)})`);
      }
      if (query.from !== undefined) conditions.push(`m.created_at >= ${bind(query.from)}`);
      if (query.to !== undefined) conditions.push(`m.created_at < ${bind(query.to)}`);
      if (query.status !== undefined) conditions.push(`c.status = ${bind(query.status)}`);
      // One more than asked tells whether another page exists.
      const rows = await db.query<HitRow>(
        `SELECT m.id, m.conversation_id, m.author, m.text, m.created_at, c.status, c.agent_id
         FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id
         WHERE ${conditions.join('\n           AND ')}
         ORDER BY m.id DESC
         LIMIT ${bind(limit + 1)}`,
        params,
      );
      return transcriptPage(rows, limit);
    },
  };
}
