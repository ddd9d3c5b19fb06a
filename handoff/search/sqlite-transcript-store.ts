// The TranscriptStore on better-sqlite3: resume reads in one statement, search on the FTS5 trigram index.
import { toMessage, type MessageRow } from '../conversations/conversation-rows.ts';
import type { ConversationStatus } from '../conversations/conversation-store.ts';
import { VIEWABLE_CONVERSATION_IDS, viewAccessParams, type ViewAccessParams } from '../conversations/sqlite-view-access.ts';
import type Database from 'better-sqlite3';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { searchIndexer } from '../sqlite/search-index.ts';
import { likePattern, transcriptPage, type HitRow } from './transcript-rows.ts';
import { MAX_VISITOR_CONVERSATIONS, toVisitorConversation, type VisitorConversationRow } from './transcript-store.ts';
import { defaultTranscriptStoreOptions, type TranscriptPage, type TranscriptQuery, type TranscriptStore, type TranscriptStoreOptions } from './transcript-store.ts';

/** The trigram index answers substrings of at least this many characters; shorter terms use LIKE. */
export const TRIGRAM_MIN_CHARS = 3;


interface SearchParams extends ViewAccessParams {
  match: string | null;
  likes: string;
  from: string | null;
  to: string | null;
  heldBy: string | null;
  status: ConversationStatus | null;
  before: number;
  limit: number;
}

/** Which optional parts a search statement has: each combination is prepared once, when first needed. */
interface SearchShape {
  /** Drive the query from the full-text index (some term is long enough). */
  useIndex: boolean;
  /** The admins' "chats this agent held" filter. */
  heldBy: boolean;
  /** Only the conversations the viewer may view (everyone but admins). */
  scoped: boolean;
}

/**
 * Shapes of one query, so that SQLite can drive it from the most selective side: the full-text index when a
 * term is long enough, the viewer's few conversations when only those count.
 */
function searchSql({ useIndex, heldBy, scoped }: SearchShape): string {
  return `
    SELECT m.id, m.conversation_id, m.author, m.text, m.created_at, c.status, c.agent_id
    FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id
    WHERE m.id < @before
      ${useIndex ? 'AND m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH @match)' : ''}
      ${scoped ? `AND m.conversation_id IN (${VIEWABLE_CONVERSATION_IDS})` : ''}
      ${heldBy ? 'AND m.conversation_id IN (SELECT conversation_id FROM conversation_agents WHERE agent_id = @heldBy)' : ''}
      AND NOT EXISTS (SELECT 1 FROM json_each(@likes) AS l WHERE m.text NOT LIKE l.value ESCAPE '\\')
      AND (@from IS NULL OR m.created_at >= @from)
      AND (@to IS NULL OR m.created_at < @to)
      AND (@status IS NULL OR c.status = @status)
    ORDER BY m.id DESC
    LIMIT @limit`;
}

export function createSqliteTranscriptStore(
  db: Db,
  options: Partial<TranscriptStoreOptions> = {},
): TranscriptStore {
  const { maxPageSize, maxSearchLimit } = { ...defaultTranscriptStoreOptions, ...options };

  // json_each keeps one prepared statement for any number of conversations.
  const selectAfter = db.prepare<[number, string, number], MessageRow>(`
    SELECT * FROM messages
    WHERE id > ? AND conversation_id IN (SELECT value FROM json_each(?))
    ORDER BY id LIMIT ?`);
  const selectLatest = db.prepare<[], { id: number }>('SELECT coalesce(max(id), 0) AS id FROM messages');
  // conversations_visitor_id (migration 008) finds them; created_at then id orders those of one instant alike on both engines.
  const selectOfVisitor = db.prepare<[string, number], VisitorConversationRow>(`
    SELECT c.id, c.status, c.agent_id, c.group_id, c.created_at, c.updated_at,
      (SELECT count(*) FROM messages AS m WHERE m.conversation_id = c.id) AS messages
    FROM conversations AS c
    WHERE c.visitor_id = ?
    ORDER BY c.created_at DESC, c.id DESC LIMIT ?`);
  // Messages are indexed in batches after they are stored (migration 005); a search first indexes the rest.
  const indexer = searchIndexer(db);
  const searches = new Map<string, Database.Statement<SearchParams, HitRow>>();
  const searchStatement = (shape: SearchShape): Database.Statement<SearchParams, HitRow> => {
    const key = `${shape.useIndex}/${shape.heldBy}/${shape.scoped}`;
    let statement = searches.get(key);
    if (!statement) searches.set(key, (statement = db.prepare<SearchParams, HitRow>(searchSql(shape))));
    return statement;
  };

  return gated(db, {
    async messagesAfter(conversationIds, after, limit) {
      if (conversationIds.length === 0) return [];
      const capped = Math.max(1, Math.min(Math.trunc(limit), maxPageSize));
      return selectAfter.all(after, JSON.stringify(conversationIds), capped).map(toMessage);
    },

    async latestMessageId() {
      return selectLatest.get()?.id ?? 0;
    },

    async conversationsOfVisitor(visitorId, limit) {
      const capped = Math.max(1, Math.min(Math.trunc(limit), MAX_VISITOR_CONVERSATIONS));
      return selectOfVisitor.all(visitorId, capped).map(toVisitorConversation);
    },

    async search(query: TranscriptQuery): Promise<TranscriptPage> {
      const terms = query.terms.filter((t) => t !== '');
      if (terms.length === 0) return { hits: [], more: false };
      const indexed = terms.filter((t) => [...t].length >= TRIGRAM_MIN_CHARS);
      const short = terms.filter((t) => [...t].length < TRIGRAM_MIN_CHARS);
      const limit = Math.max(1, Math.min(Math.trunc(query.limit), maxSearchLimit));
      const params: SearchParams = {
        match: indexed.length > 0 ? indexed.map(ftsPhrase).join(' AND ') : null,
        likes: JSON.stringify(short.map(likePattern)),
        from: query.from ?? null,
        to: query.to ?? null,
        heldBy: query.heldBy ?? null,
        ...viewAccessParams(query.access),
        status: query.status ?? null,
        before: query.before ?? Number.MAX_SAFE_INTEGER,
        // One more than asked tells whether another page exists.
        limit: limit + 1,
      };
      const statement = searchStatement({ useIndex: params.match !== null, heldBy: params.heldBy !== null, scoped: query.access.kind !== 'every' });
      if (params.match !== null) indexer?.catchUp();
      const rows = statement.all(params);
      return transcriptPage(rows, limit);
    },
  });
}

/** A term as one FTS5 string: quoted, inner quotes doubled, so no character of it is query syntax. */
function ftsPhrase(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}
