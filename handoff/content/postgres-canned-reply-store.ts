// The CannedReplyStore on PostgreSQL: writes checked under a per-owner lock, searches ranked as on SQLite.
import { randomUUID } from 'node:crypto';
import { cannedSearchNeedle, foldCannedText, kindColumns, shortcutTaken, toCannedReply, type CannedRow } from './canned-reply-rows.ts';
import { DEFAULT_CANNED_SEARCH_LIMIT, defaultCannedReplyStoreOptions, type CannedReplyStore, type CannedReplyStoreOptions } from './canned-reply-store.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';
import type { PgDb } from '../postgres/pg-db.ts';

/** PostgreSQL's unique_violation (canned_replies_shortcut). */
const UNIQUE_VIOLATION = '23505';

/**
 * Serialises the writes of one owner (or of the shared set, owner ''): the count against maxPerOwner and the
 * free-shortcut check hold until commit, as under SQLite's write lock.
 */
const OWNER_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('handoff/canned-replies:' || coalesce($1::text, ''), 0))";

/** SQLite's BINARY order: UTF-8 bytes, i.e. code points (JavaScript's `<` compares UTF-16 units). */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export function createPostgresCannedReplyStore(db: PgDb, options: Partial<CannedReplyStoreOptions> = {}): CannedReplyStore {
  const { clock, maxPerOwner, maxListLimit } = { ...defaultCannedReplyStoreOptions, ...options };

  async function rowOrThrow(id: string): Promise<CannedRow> {
    const row = await db.one<CannedRow>('SELECT * FROM canned_replies WHERE id = $1', [id]);
    if (!row) throw new NotFoundError(`handoff: no canned reply ${JSON.stringify(id)}`);
    return row;
  }

  async function assertShortcutFree(owner: string | null, shortcut: string, exceptId?: string): Promise<void> {
    const holder = await db.one<{ id: string }>(
      "SELECT id FROM canned_replies WHERE coalesce(owner_agent_id, '') = coalesce($1::text, '') AND shortcut = $2",
      [owner, shortcut],
    );
    if (holder && holder.id !== exceptId) throw shortcutTaken(owner, shortcut);
  }

  /** A unique violation that got past the check (a writer without the lock) is the same conflict. */
  async function guarded<T>(owner: string | null, shortcut: string | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION && shortcut !== undefined) throw shortcutTaken(owner, shortcut);
      throw err;
    }
  }

  return {
    async list(agentId, { q, lang, category, kind, limit = DEFAULT_CANNED_SEARCH_LIMIT } = {}) {
      const { needle, shortcut } = cannedSearchNeedle(q);
      // The caller's candidates (at most maxPerOwner personal and as many shared) are ranked here rather than in
      // SQL, so that the folding is exactly SQLite's store's: exact shortcut, shortcut prefix, shortcut contains,
      // title, text.
      const rows = await db.query<CannedRow>(
        `SELECT * FROM canned_replies
         WHERE (owner_agent_id IS NULL OR owner_agent_id = $1) AND ($2::text IS NULL OR lang IS NULL OR lang = $2)
           AND ($3::text IS NULL OR category = $3) AND ($4::text IS NULL OR kind = $4)`,
        [agentId, lang ?? null, category ?? null, kind ?? null],
      );
      const rankOf = (row: CannedRow): number | undefined => {
        if (needle === '' || row.shortcut === shortcut) return 0;
        if (row.shortcut.startsWith(shortcut)) return 1;
        if (row.shortcut.includes(needle)) return 2;
        if (foldCannedText(row.title).includes(needle)) return 3;
        if (foldCannedText(row.text).includes(needle)) return 4;
        return undefined;
      };
      const ranked: Array<{ row: CannedRow; rank: number }> = [];
      for (const row of rows) {
        const rank = rankOf(row);
        if (rank !== undefined) ranked.push({ row, rank });
      }
      // Personal before shared at equal rank, then by shortcut.
      ranked.sort((a, b) =>
        a.rank - b.rank ||
        Number(a.row.owner_agent_id === null) - Number(b.row.owner_agent_id === null) ||
        byBytes(a.row.shortcut, b.row.shortcut),
      );
      return ranked.slice(0, Math.max(1, Math.min(Math.trunc(limit), maxListLimit))).map((r) => toCannedReply(r.row));
    },

    async get(id) {
      return toCannedReply(await rowOrThrow(id));
    },

    async create(input) {
      return db.transaction(async () => {
        await db.query(OWNER_LOCK, [input.ownerAgentId]);
        await assertShortcutFree(input.ownerAgentId, input.shortcut);
        const owned = await db.one<{ n: number }>(
          "SELECT count(*) AS n FROM canned_replies WHERE coalesce(owner_agent_id, '') = coalesce($1::text, '')",
          [input.ownerAgentId],
        );
        if ((owned?.n ?? 0) >= maxPerOwner) {
          throw new ConflictError(`at most ${maxPerOwner} canned replies per owner; delete some first`);
        }
        const k = kindColumns(input);
        const row = await guarded(input.ownerAgentId, input.shortcut, () =>
          db.one<CannedRow>(
            `INSERT INTO canned_replies (id, owner_agent_id, shortcut, title, text, lang, category, kind, file_id, file_type, file_size, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $8, $9, $10, $11, $12, $7, $7) RETURNING *`,
            [
              randomUUID(), input.ownerAgentId, input.shortcut, input.title, input.text, input.lang ?? null, clock().toISOString(), input.category ?? null,
              k.kind, k.fileId, k.fileType, k.fileSize,
            ],
          ),
        );
        return toCannedReply(row!);
      });
    },

    async update(id, patch) {
      return db.transaction(async () => {
        const before = await rowOrThrow(id);
        await db.query(OWNER_LOCK, [before.owner_agent_id]);
        if (patch.shortcut !== undefined) await assertShortcutFree(before.owner_agent_id, patch.shortcut, id);
        const row = await guarded(before.owner_agent_id, patch.shortcut, () =>
          db.one<CannedRow>(
            `UPDATE canned_replies SET
               shortcut   = coalesce($2, shortcut),
               title      = coalesce($3, title),
               text       = coalesce($4, text),
               lang       = CASE WHEN $5::boolean THEN $6 ELSE lang END,
               category   = CASE WHEN $8::boolean THEN $9 ELSE category END,
               updated_at = $7
             WHERE id = $1 RETURNING *`,
            [
              id, patch.shortcut ?? null, patch.title ?? null, patch.text ?? null, patch.lang !== undefined, patch.lang ?? null, clock().toISOString(),
              patch.category !== undefined, patch.category ?? null,
            ],
          ),
        );
        // Deleted by another node between the read and the write.
        if (!row) throw new NotFoundError(`handoff: no canned reply ${JSON.stringify(id)}`);
        return toCannedReply(row);
      });
    },

    async delete(id) {
      const row = await db.one<CannedRow>('DELETE FROM canned_replies WHERE id = $1 RETURNING *', [id]);
      if (!row) throw new NotFoundError(`handoff: no canned reply ${JSON.stringify(id)}`);
      return toCannedReply(row);
    },
  };
}
