// The CannedReplyStore on better-sqlite3: search ranked in one statement, writes checked in one transaction.
import { randomUUID } from 'node:crypto';
import type { Lang } from '../../knowledge/types.ts';
import type { CannedReply, CannedReplyPatch, CannedReplyStore, NewCannedReply } from './canned-reply-store.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';

export interface SqliteCannedReplyStoreOptions {
  /** Source of timestamps. Default the system clock. */
  clock: Clock;
  /** Most replies one owner (or the shared set) holds. Range 10-10000; default 500. */
  maxPerOwner: number;
  /** Most results one search returns. Range 1-500; default 200. */
  maxListLimit: number;
}

export const defaultSqliteCannedReplyStoreOptions: SqliteCannedReplyStoreOptions = {
  clock: systemClock,
  maxPerOwner: 500,
  maxListLimit: 200,
};

/** Results per search when the caller does not say. */
const DEFAULT_LIMIT = 50;

interface CannedRow {
  id: string;
  owner_agent_id: string | null;
  shortcut: string;
  title: string;
  text: string;
  lang: Lang | null;
  created_at: string;
  updated_at: string;
}

/** Case folding for search, done by JavaScript so that it is Unicode-aware (SQLite's lower() is ASCII only). */
const FOLD = 'handoff_fold';

export function createSqliteCannedReplyStore(db: Db, options: Partial<SqliteCannedReplyStoreOptions> = {}): CannedReplyStore {
  const { clock, maxPerOwner, maxListLimit } = { ...defaultSqliteCannedReplyStoreOptions, ...options };
  db.function(FOLD, { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.normalize('NFKC').toLowerCase() : value,
  );

  const search = db.prepare<
    { agentId: string; needle: string | null; shortcut: string | null; lang: Lang | null; limit: number },
    CannedRow
  >(`
    SELECT id, owner_agent_id, shortcut, title, text, lang, created_at, updated_at FROM (
      SELECT *, CASE
          WHEN @needle IS NULL THEN 0
          WHEN shortcut = @shortcut THEN 0
          WHEN substr(shortcut, 1, length(@shortcut)) = @shortcut THEN 1
          WHEN instr(shortcut, @needle) > 0 THEN 2
          WHEN instr(${FOLD}(title), @needle) > 0 THEN 3
          WHEN instr(${FOLD}(text), @needle) > 0 THEN 4
        END AS rank
      FROM canned_replies
      WHERE (owner_agent_id IS NULL OR owner_agent_id = @agentId)
        AND (@lang IS NULL OR lang IS NULL OR lang = @lang)
    )
    WHERE rank IS NOT NULL
    ORDER BY rank, owner_agent_id IS NULL, shortcut
    LIMIT @limit`);
  const selectOne = db.prepare<[string], CannedRow>('SELECT * FROM canned_replies WHERE id = ?');
  const selectByShortcut = db.prepare<[string | null, string], { id: string }>(
    "SELECT id FROM canned_replies WHERE coalesce(owner_agent_id, '') = coalesce(?, '') AND shortcut = ?",
  );
  const countOwned = db.prepare<[string | null], { n: number }>(
    "SELECT count(*) AS n FROM canned_replies WHERE coalesce(owner_agent_id, '') = coalesce(?, '')",
  );
  const insert = db.prepare(`
    INSERT INTO canned_replies (id, owner_agent_id, shortcut, title, text, lang, created_at, updated_at)
    VALUES (@id, @owner, @shortcut, @title, @text, @lang, @now, @now)`);
  const update = db.prepare(`
    UPDATE canned_replies SET
      shortcut   = coalesce(@shortcut, shortcut),
      title      = coalesce(@title, title),
      text       = coalesce(@text, text),
      lang       = CASE WHEN @setLang THEN @lang ELSE lang END,
      updated_at = @now
    WHERE id = @id`);
  const remove = db.prepare<[string]>('DELETE FROM canned_replies WHERE id = ?');

  function rowOrThrow(id: string): CannedRow {
    const row = selectOne.get(id);
    if (!row) throw new NotFoundError(`handoff: no canned reply ${JSON.stringify(id)}`);
    return row;
  }

  function assertShortcutFree(owner: string | null, shortcut: string, exceptId?: string): void {
    const holder = selectByShortcut.get(owner, shortcut);
    if (holder && holder.id !== exceptId) {
      const where = owner === null ? 'among the shared replies' : 'among your replies';
      throw new ConflictError(`the shortcut ${shortcut} is already used ${where}`);
    }
  }

  const createTx = db.transaction((input: NewCannedReply): CannedReply => {
    assertShortcutFree(input.ownerAgentId, input.shortcut);
    if ((countOwned.get(input.ownerAgentId)?.n ?? 0) >= maxPerOwner) {
      throw new ConflictError(`at most ${maxPerOwner} canned replies per owner; delete some first`);
    }
    const id = randomUUID();
    insert.run({
      id,
      owner: input.ownerAgentId,
      shortcut: input.shortcut,
      title: input.title,
      text: input.text,
      lang: input.lang ?? null,
      now: clock().toISOString(),
    });
    return toReply(rowOrThrow(id));
  });

  const updateTx = db.transaction((id: string, patch: CannedReplyPatch): CannedReply => {
    const row = rowOrThrow(id);
    if (patch.shortcut !== undefined) assertShortcutFree(row.owner_agent_id, patch.shortcut, id);
    update.run({
      id,
      shortcut: patch.shortcut ?? null,
      title: patch.title ?? null,
      text: patch.text ?? null,
      setLang: patch.lang !== undefined ? 1 : 0,
      lang: patch.lang ?? null,
      now: clock().toISOString(),
    });
    return toReply(rowOrThrow(id));
  });

  return gated(db, {
    async list(agentId, { q, lang, limit = DEFAULT_LIMIT } = {}) {
      const folded = q?.normalize('NFKC').trim().toLowerCase() ?? '';
      const needle = folded.replace(/^\/+/, '');
      return search
        .all({
          agentId,
          needle: needle === '' ? null : needle,
          shortcut: needle === '' ? null : `/${needle}`,
          lang: lang ?? null,
          limit: Math.max(1, Math.min(Math.trunc(limit), maxListLimit)),
        })
        .map(toReply);
    },
    async get(id) {
      return toReply(rowOrThrow(id));
    },
    async create(input) {
      return createTx.immediate(input);
    },
    async update(id, patch) {
      return updateTx.immediate(id, patch);
    },
    async delete(id) {
      if (remove.run(id).changes === 0) throw new NotFoundError(`handoff: no canned reply ${JSON.stringify(id)}`);
    },
  });
}

function toReply(row: CannedRow): CannedReply {
  const reply: CannedReply = {
    id: row.id,
    scope: row.owner_agent_id === null ? 'shared' : 'personal',
    shortcut: row.shortcut,
    title: row.title,
    text: row.text,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.owner_agent_id !== null) reply.ownerAgentId = row.owner_agent_id;
  if (row.lang !== null) reply.lang = row.lang;
  return reply;
}
