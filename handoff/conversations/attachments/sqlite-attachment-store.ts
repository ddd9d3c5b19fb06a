// The attachment store in SQLite: an attachment's row and its message in one IMMEDIATE transaction (so the
// check that a person has the chat holds until both are written), reads for downloads, and the erasure notes.
import type { Db } from '../../sqlite/db.ts';
import { gated } from '../../sqlite/unit-of-work.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { systemClock, type Clock } from '../../platform/clock.ts';
import { attachmentColumn, type StoredAttachment } from './attachment.ts';
import type { AttachmentStore, NewAttachment } from './attachment-store.ts';
import { attachmentMessage, attachmentRefusal, toAttachment, type AttachmentRow, storedAttachment } from './attachment-rows.ts';

export function createSqliteAttachmentStore(db: Db, options: { clock?: Clock } = {}): AttachmentStore {
  const clock = options.clock ?? systemClock;
  const selectState = db.prepare<[string], { status: string; agent_id: string | null }>('SELECT status, agent_id FROM conversations WHERE id = ?');
  const insertAttachment = db.prepare(`
    INSERT INTO attachments (id, conversation_id, author, agent_id, name, type, size, created_at)
    VALUES (@id, @conversationId, @author, @agentId, @name, @type, @size, @now)`);
  const insertMessage = db.prepare(`
    INSERT INTO messages (conversation_id, author, text, agent_id, created_at, attachment)
    VALUES (@conversationId, @author, @name, @agentId, @now, @attachment)`);
  const touch = db.prepare<[string, string]>('UPDATE conversations SET updated_at = ? WHERE id = ?');
  const selectAttachment = db.prepare<[string, string], AttachmentRow>('SELECT * FROM attachments WHERE id = ? AND conversation_id = ?');
  const selectErased = db.prepare<[number], { id: string }>('SELECT id FROM attachment_erasures ORDER BY erased_at, id LIMIT ?');
  const deleteErased = db.prepare<[string]>('DELETE FROM attachment_erasures WHERE id IN (SELECT value FROM json_each(?))');
  const selectExisting = db.prepare<[string], { id: string }>('SELECT id FROM attachments WHERE id IN (SELECT value FROM json_each(?))');

  const addTx = db.transaction((input: NewAttachment) => {
    const row = selectState.get(input.conversationId);
    if (!row) throw new NotFoundError(`handoff: no conversation ${JSON.stringify(input.conversationId)}`);
    const refusal = attachmentRefusal(input, row);
    if (refusal) throw refusal;
    const now = clock().toISOString();
    const attachment = storedAttachment(input, now);
    const params = { ...input, agentId: input.agentId ?? null, now };
    insertAttachment.run(params);
    const { lastInsertRowid } = insertMessage.run({ ...params, attachment: attachmentColumn(attachment) });
    touch.run(now, input.conversationId);
    return { attachment, message: attachmentMessage(Number(lastInsertRowid), attachment) };
  });

  return gated(db, {
    async add(input) {
      return addTx.immediate(input);
    },
    async get(conversationId, id) {
      const row = selectAttachment.get(id, conversationId);
      return row ? toAttachment(row) : undefined;
    },
    async erased(limit) {
      return selectErased.all(limit).map((r) => r.id);
    },
    async forgetErased(keys) {
      if (keys.length > 0) deleteErased.run(JSON.stringify(keys));
    },
    async existing(keys) {
      if (keys.length === 0) return new Set<string>();
      return new Set(selectExisting.all(JSON.stringify(keys)).map((r) => r.id));
    },
  });
}
