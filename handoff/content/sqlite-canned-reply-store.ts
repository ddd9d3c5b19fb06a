// The CannedReplyStore on better-sqlite3: search ranked in one statement, writes checked in one transaction.
import { randomUUID } from 'node:crypto';
import type { Lang } from '../../knowledge/types.ts';
import { cannedSearchNeedle, foldCannedText, kindColumns, shortcutTaken, toCannedReply, type CannedRow } from './canned-reply-rows.ts';
import { DEFAULT_CANNED_SEARCH_LIMIT, defaultCannedReplyStoreOptions, type CannedReply, type CannedReplyPatch, type CannedReplyStore, type CannedReplyStoreOptions, type NewCannedReply } from './canned-reply-store.ts';
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';

/** SQL name of foldCannedText, for the search statement. */
const FOLD = 'handoff_fold';

export function createSqliteCannedReplyStore(db: Db, options: Partial<CannedReplyStoreOptions> = {}): CannedReplyStore {
  const { clock, maxPerOwner, maxListLimit } = { ...defaultCannedReplyStoreOptions, ...options };
  db.function(FOLD, { deterministic: true }, (value: unknown) => (typeof value === 'string' ? foldCannedText(value) : value));

  const search = db.prepare<
    { agentId: string; needle: string | null; shortcut: string | null; lang: Lang | null; category: string | null; kind: string | null; limit: number },
    CannedRow
  >(`
    SELECT id, owner_agent_id, shortcut, title, text, lang, category, kind, file_id, file_type, file_size, created_at, updated_at FROM (
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
        AND (@category IS NULL OR category = @category)
        AND (@kind IS NULL OR kind = @kind)
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
    INSERT INTO canned_replies (id, owner_agent_id, shortcut, title, text, lang, category, kind, file_id, file_type, file_size, created_at, updated_at)
    VALUES (@id, @owner, @shortcut, @title, @text, @lang, @category, @kind, @fileId, @fileType, @fileSize, @now, @now)`);
  const update = db.prepare(`
    UPDATE canned_replies SET
      shortcut   = coalesce(@shortcut, shortcut),
      title      = coalesce(@title, title),
      text       = coalesce(@text, text),
      lang       = CASE WHEN @setLang THEN @lang ELSE lang END,
      category   = CASE WHEN @setCategory THEN @category ELSE category END,
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
    if (holder && holder.id !== exceptId) throw shortcutTaken(owner, shortcut);
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
      category: input.category ?? null,
      ...kindColumns(input),
      now: clock().toISOString(),
    });
    return toCannedReply(rowOrThrow(id));
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
      setCategory: patch.category !== undefined ? 1 : 0,
      category: patch.category ?? null,
      now: clock().toISOString(),
    });
    return toCannedReply(rowOrThrow(id));
  });

  return gated(db, {
    async list(agentId, { q, lang, category, kind, limit = DEFAULT_CANNED_SEARCH_LIMIT } = {}) {
      const { needle, shortcut } = cannedSearchNeedle(q);
      return search
        .all({
          agentId,
          needle: needle === '' ? null : needle,
          shortcut: needle === '' ? null : shortcut,
          lang: lang ?? null,
          category: category ?? null,
          kind: kind ?? null,
          limit: Math.max(1, Math.min(Math.trunc(limit), maxListLimit)),
        })
        .map(toCannedReply);
    },
    async get(id) {
      return toCannedReply(rowOrThrow(id));
    },
    async create(input) {
      return createTx.immediate(input);
    },
    async update(id, patch) {
      return updateTx.immediate(id, patch);
    },
    async delete(id) {
      const row = selectOne.get(id);
      if (!row || remove.run(id).changes === 0) throw new NotFoundError(`handoff: no canned reply ${JSON.stringify(id)}`);
      return toCannedReply(row);
    },
  });
}
