// The attachment store in PostgreSQL: the conversation row is locked (FOR UPDATE) while the attachment and its
// message are written, so a take, transfer or close on another node waits and the "a person has it" check holds;
// the message takes the message-order lock like every message insert (postgres-message-order.ts).
import type { PgDb } from '../../postgres/pg-db.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { systemClock, type Clock } from '../../platform/clock.ts';
import { lockMessageOrder } from '../postgres-message-order.ts';
import { attachmentColumn, type StoredAttachment } from './attachment.ts';
import type { AttachmentStore } from './attachment-store.ts';
import { attachmentMessage, attachmentRefusal, toAttachment, type AttachmentRow, storedAttachment } from './attachment-rows.ts';

const COLUMNS = 'id, conversation_id, author, agent_id, name, type, size, created_at';

export function createPostgresAttachmentStore(db: PgDb, options: { clock?: Clock } = {}): AttachmentStore {
  const clock = options.clock ?? systemClock;
  return {
    async add(input) {
      return db.transaction(async () => {
        const row = await db.one<{ status: string; agent_id: string | null }>('SELECT status, agent_id FROM conversations WHERE id = $1 FOR UPDATE', [input.conversationId]);
        if (!row) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(input.conversationId)}`);
        const refusal = attachmentRefusal(input, row);
        if (refusal) throw refusal;
        const now = clock().toISOString();
        const attachment = storedAttachment(input, now);
        await db.run(
          `INSERT INTO attachments (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [input.id, input.conversationId, input.author, input.agentId ?? null, input.name, input.type, input.size, now],
        );
        await lockMessageOrder(db);
        const inserted = await db.one<{ id: string | number }>(
          `INSERT INTO messages (conversation_id, author, text, agent_id, created_at, attachment)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [input.conversationId, input.author, input.name, input.agentId ?? null, now, attachmentColumn(attachment)],
        );
        await db.run('UPDATE conversations SET updated_at = $1 WHERE id = $2', [now, input.conversationId]);
        return { attachment, message: attachmentMessage(Number(inserted!.id), attachment) };
      });
    },

    async get(conversationId, id) {
      const row = await db.one<AttachmentRow>(`SELECT ${COLUMNS} FROM attachments WHERE id = $1 AND conversation_id = $2`, [id, conversationId]);
      return row ? toAttachment(row) : undefined;
    },

    async erased(limit) {
      const rows = await db.query<{ id: string }>('SELECT id FROM attachment_erasures ORDER BY erased_at, id COLLATE "C" LIMIT $1', [limit]);
      return rows.map((r) => r.id);
    },

    async forgetErased(keys) {
      if (keys.length > 0) await db.run('DELETE FROM attachment_erasures WHERE id = ANY($1::text[])', [[...keys]]);
    },

    async existing(keys) {
      if (keys.length === 0) return new Set<string>();
      const rows = await db.query<{ id: string }>('SELECT id FROM attachments WHERE id = ANY($1::text[])', [[...keys]]);
      return new Set(rows.map((r) => r.id));
    },
  };
}
