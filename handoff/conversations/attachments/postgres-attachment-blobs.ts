// Attachment bytes in PostgreSQL (bytea): the object store of several nodes, which share the database and nothing
// else, so a file uploaded through one node is read through any other. Files are small (MAX_ATTACHMENT_BYTES,
// 5 MiB by default), which bytea carries well; TOAST compresses and moves them out of the row.
import type { PgDb } from '../../postgres/pg-db.ts';
import type { AttachmentBlobs } from './attachment-blobs.ts';

/** Tables of this shape (id, bytes, created_at): a chat's attachments, and the canned library's files (migration 009). */
export type BlobTable = 'attachment_blobs' | 'canned_file_blobs';

export function createPostgresAttachmentBlobs(db: PgDb, table: BlobTable = 'attachment_blobs'): AttachmentBlobs {
  return {
    async put(key, bytes) {
      await db.run(`INSERT INTO ${table} (id, bytes, created_at) VALUES ($1, $2, $3)`, [key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), new Date().toISOString()]);
    },

    async get(key) {
      const row = await db.one<{ bytes: Buffer }>(`SELECT bytes FROM ${table} WHERE id = $1`, [key]);
      return row ? new Uint8Array(row.bytes) : undefined;
    },

    async delete(keys) {
      if (keys.length === 0) return;
      await db.run(`DELETE FROM ${table} WHERE id = ANY($1::text[])`, [[...keys]]);
    },

    async listOlderThan(before, limit) {
      const rows = await db.query<{ id: string }>(`SELECT id FROM ${table} WHERE created_at < $1 ORDER BY created_at LIMIT $2`, [before.toISOString(), limit]);
      return rows.map((r) => r.id);
    },
  };
}
