// The knowledge-base publication store on PostgreSQL (tables of migration 002_kb_publications).
import type { PgDb } from '../postgres/pg-db.ts';
import {
  assertPublishable, defaultKbPublicationStoreOptions, isPublishablePath,
  type KbPublicationHead, type KbPublicationStore, type KbPublicationStoreOptions,
} from './kb-publication-store.ts';

interface HeadRow {
  id: number;
  version: string;
  entries: number;
  published_at: string;
  published_by: string;
}

const HEAD_COLUMNS = 'id, version, entries, published_at, published_by';

const toHead = (r: HeadRow): KbPublicationHead => ({ id: r.id, version: r.version, entries: r.entries, publishedAt: r.published_at, publishedBy: r.published_by });

export function createPostgresKbPublicationStore(db: PgDb, options: Partial<KbPublicationStoreOptions> = {}): KbPublicationStore {
  const { keep, clock } = { ...defaultKbPublicationStoreOptions, ...options };
  return {
    async add(publication) {
      assertPublishable(publication);
      return db.transaction(async () => {
        const row = (await db.one<HeadRow>(
          `INSERT INTO kb_publications (version, entries, published_at, published_by) VALUES ($1, $2, $3, $4) RETURNING ${HEAD_COLUMNS}`,
          [publication.version, publication.entries, clock().toISOString(), publication.publishedBy],
        ))!;
        // One statement for every file: a KB of a few hundred files is one round trip, not hundreds.
        const paths = [...publication.files.keys()];
        await db.run(
          `INSERT INTO kb_publication_files (publication_id, path, content)
           SELECT $1, f.path, f.content FROM unnest($2::text[], $3::bytea[]) AS f (path, content)`,
          [row.id, paths, paths.map((p) => Buffer.from(publication.files.get(p)!, 'utf8'))],
        );
        // History beyond `keep` goes (its files by ON DELETE CASCADE); nodes only ever need the newest.
        await db.run(`DELETE FROM kb_publications WHERE id <= (SELECT id FROM kb_publications ORDER BY id DESC OFFSET $1 LIMIT 1)`, [keep]);
        return toHead(row);
      });
    },

    async newest() {
      const row = await db.one<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM kb_publications ORDER BY id DESC LIMIT 1`);
      return row ? toHead(row) : undefined;
    },

    async read(id) {
      // One statement, one snapshot: a publication pruned meanwhile is missing whole, never read without its files.
      const rows = await db.query<HeadRow & { path: string | null; content: Buffer | null }>(
        `SELECT p.id, p.version, p.entries, p.published_at, p.published_by, f.path, f.content
         FROM kb_publications p LEFT JOIN kb_publication_files f ON f.publication_id = p.id
         WHERE p.id = $1 ORDER BY f.path`,
        [id],
      );
      if (rows.length === 0) return undefined;
      const files = new Map<string, string>();
      for (const r of rows) {
        if (r.path === null || r.content === null) continue;
        // The table's CHECK already refuses such a path; a reader about to write files to disk checks again.
        if (!isPublishablePath(r.path)) throw new Error(`kb publications: publication ${id} holds a path that is not a knowledge file: ${JSON.stringify(r.path)}`);
        files.set(r.path, r.content.toString('utf8'));
      }
      return { ...toHead(rows[0]!), files };
    },
  };
}
