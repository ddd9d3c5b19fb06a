// The TranscriptStore on better-sqlite3: resume reads in one statement, search on the FTS5 trigram index.
import { toMessage, type MessageRow } from '../conversations/sqlite-conversation-store.ts';
import type { ConversationStatus, MessageAuthor, StoredMessage } from '../conversations/conversation-store.ts';
import { VIEWABLE_CONVERSATION_IDS, viewAccessParams, type ViewAccessParams } from '../conversations/sqlite-view-access.ts';
import type Database from 'better-sqlite3';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { searchIndexer } from '../sqlite/search-index.ts';
import type { TranscriptHit, TranscriptPage, TranscriptQuery, TranscriptStore } from './transcript-store.ts';

export interface SqliteTranscriptStoreOptions {
  /** Most messages one messagesAfter call returns. Range 1-10000; default 1000. */
  maxPageSize: number;
  /** Most hits one search returns. Range 1-1000; default 200. */
  maxSearchLimit: number;
}

export const defaultSqliteTranscriptStoreOptions: SqliteTranscriptStoreOptions = {
  maxPageSize: 1000,
  maxSearchLimit: 200,
};

/** The trigram index answers substrings of at least this many characters; shorter terms use LIKE. */
export const TRIGRAM_MIN_CHARS = 3;


interface HitRow {
  id: number;
  conversation_id: string;
  author: MessageAuthor;
  text: string;
  created_at: string;
  status: ConversationStatus;
}

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
    SELECT m.id, m.conversation_id, m.author, m.text, m.created_at, c.status
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
  options: Partial<SqliteTranscriptStoreOptions> = {},
): TranscriptStore {
  const { maxPageSize, maxSearchLimit } = { ...defaultSqliteTranscriptStoreOptions, ...options };

  // json_each keeps one prepared statement for any number of conversations.
  const selectAfter = db.prepare<[number, string, number], MessageRow>(`
    SELECT * FROM messages
    WHERE id > ? AND conversation_id IN (SELECT value FROM json_each(?))
    ORDER BY id LIMIT ?`);
  const selectLatest = db.prepare<[], { id: number }>('SELECT coalesce(max(id), 0) AS id FROM messages');
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
      return { hits: rows.slice(0, limit).map(toHit), more: rows.length > limit };
    },
  });
}

/** A term as one FTS5 string: quoted, inner quotes doubled, so no character of it is query syntax. */
function ftsPhrase(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/** A term as a LIKE pattern matching it anywhere; `%`, `_` and the escape character itself are literal. */
function likePattern(term: string): string {
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
  };
}
