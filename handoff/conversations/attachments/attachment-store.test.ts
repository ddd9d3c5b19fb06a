// The attachment store and its object store on both engines (a real SQLite file and folder; a real PostgreSQL
// database where the test services are): an attachment and its message are written together only while a person
// has the chat, messages read back carry it (history and the live streams' reads), and an erasure of the
// conversation leaves a note whose bytes the erasure job removes (on PostgreSQL the bytes go in the erasing
// transaction itself).
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { databaseEachTest, postgresEngine, sqliteEngine, type EngineDb } from '../../testing/engine-databases.ts';
import { describeWithServices } from '../../testing/services.ts';
import { createSqliteVisitorTranscripts } from '../../visitors/sqlite-visitor-transcripts.ts';
import { createPostgresVisitorTranscripts } from '../../visitors/postgres-visitor-transcripts.ts';
import type { VisitorTranscripts } from '../../visitors/visitor-transcripts.ts';
import type { PgDb } from '../../postgres/pg-db.ts';
import type { AttachmentBlobs } from './attachment-blobs.ts';
import type { AttachmentStore, NewAttachment } from './attachment-store.ts';
import { createAttachmentErasure } from './attachment-erasure.ts';
import { createFolderAttachmentBlobs } from './folder-attachment-blobs.ts';
import { createPostgresAttachmentBlobs } from './postgres-attachment-blobs.ts';
import { createPostgresAttachmentStore } from './postgres-attachment-store.ts';
import { createSqliteAttachmentStore } from './sqlite-attachment-store.ts';

interface Kit {
  engine: EngineDb;
  attachments: AttachmentStore;
  blobs: AttachmentBlobs;
  transcripts: VisitorTranscripts;
}

describe('attachment store (SQLite)', () => {
  const engine = databaseEachTest(sqliteEngine);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'attachment-blobs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  contract(() => {
    const e = engine();
    return {
      engine: e,
      attachments: createSqliteAttachmentStore(e.sqlite!),
      blobs: createFolderAttachmentBlobs(dir),
      transcripts: createSqliteVisitorTranscripts(e.sqlite!),
    };
  });

  it('names files by the attachment id only, and refuses any key that is not one', async () => {
    const blobs = createFolderAttachmentBlobs(dir);
    await blobs.put('abcdefghijklmnop0123', new Uint8Array([1, 2, 3]));
    expect(readdirSync(dir)).toEqual(['abcdefghijklmnop0123']);
    for (const key of ['../../etc/passwd', 'short', 'abcdefghijklmnop/0123', 'abcdefghijklmnop\u00000123']) {
      await expect(blobs.put(key, new Uint8Array([1]))).rejects.toThrow(/not a blob key/);
      await expect(blobs.get(key)).rejects.toThrow(/not a blob key/);
    }
  });

  it('sweeps bytes whose attachment row never committed, once they are old enough', async () => {
    const e = engine();
    const blobs = createFolderAttachmentBlobs(dir);
    const attachments = createSqliteAttachmentStore(e.sqlite!);
    const id = await assigned(e, 'amy');
    await blobs.put('kept-attachment-0001', new Uint8Array([1]));
    await attachments.add(visitorFile(id, 'kept-attachment-0001'));
    await blobs.put('orphan-attachment-01', new Uint8Array([2]));
    await blobs.put('fresh-orphan-000001', new Uint8Array([3]));
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const name of ['kept-attachment-0001', 'orphan-attachment-01']) utimesSync(path.join(dir, name), old, old);
    const erasure = createAttachmentErasure({ store: attachments, blobs, clock: () => new Date() });
    expect(await erasure.sweepOrphans()).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['fresh-orphan-000001', 'kept-attachment-0001']);
  });
});

describeWithServices('attachment store (PostgreSQL)', () => {
  const engine = databaseEachTest(postgresEngine);
  contract(() => {
    const e = engine();
    const db: PgDb = e.pg!;
    return {
      engine: e,
      attachments: createPostgresAttachmentStore(db),
      blobs: createPostgresAttachmentBlobs(db),
      transcripts: createPostgresVisitorTranscripts(db),
    };
  });

  it('removes the bytes kept in the database in the erasing transaction itself', async () => {
    const e = engine();
    const attachments = createPostgresAttachmentStore(e.pg!);
    const blobs = createPostgresAttachmentBlobs(e.pg!);
    const id = await assigned(e, 'amy');
    await blobs.put('pg-erased-file-0001', new Uint8Array([7, 7]));
    await attachments.add(visitorFile(id, 'pg-erased-file-0001'));
    await createPostgresVisitorTranscripts(e.pg!).delete([id]);
    expect(await blobs.get('pg-erased-file-0001')).toBeUndefined();
    expect(await attachments.erased(10)).toEqual(['pg-erased-file-0001']);
  });
});

const visitorFile = (conversationId: string, id: string, extra: Partial<NewAttachment> = {}): NewAttachment => ({
  id, conversationId, author: 'visitor', name: 'photo.png', type: 'image/png', size: 2, ...extra,
});

async function conversation(engine: EngineDb): Promise<string> {
  return (await engine.stores.conversations().createConversation({ lang: 'zh' })).conversation.id;
}

async function assigned(engine: EngineDb, agentId: string): Promise<string> {
  const id = await conversation(engine);
  await engine.run("UPDATE conversations SET status = 'assigned', agent_id = ? WHERE id = ?", [agentId, id]);
  return id;
}

function contract(kit: () => Kit): void {
  it('writes the attachment and its message together while the chat waits for a person; reads carry it', async () => {
    const { engine, attachments, blobs } = kit();
    const id = await conversation(engine);
    await engine.run("UPDATE conversations SET status = 'queued' WHERE id = ?", [id]);
    await blobs.put('file-queued-000001', new Uint8Array([1, 2]));
    const { attachment, message } = await attachments.add(visitorFile(id, 'file-queued-000001'));
    expect(attachment).toMatchObject({ id: 'file-queued-000001', conversationId: id, author: 'visitor', name: 'photo.png', type: 'image/png', size: 2 });
    const shown = { id: 'file-queued-000001', name: 'photo.png', type: 'image/png', size: 2, url: `/api/conversations/${id}/attachments/file-queued-000001` };
    expect(message).toMatchObject({ conversationId: id, author: 'visitor', text: 'photo.png', attachment: shown });
    // History and the live streams' reads (the message pump) carry it as stored.
    const listed = await engine.stores.conversations().listMessages(id);
    expect(listed.at(-1)).toEqual(message);
    const pumped = await engine.stores.transcripts().messagesAfter([id], 0, 100);
    expect(pumped.at(-1)).toEqual(message);
    expect(await attachments.get(id, 'file-queued-000001')).toEqual(attachment);
    expect(await blobs.get('file-queued-000001')).toEqual(new Uint8Array([1, 2]));
  });

  it('refuses a visitor file while the bot has the chat or after it closed, and writes nothing', async () => {
    const { engine, attachments } = kit();
    const id = await conversation(engine);
    const before = await engine.stores.conversations().listMessages(id);
    for (const status of ['bot', 'closed']) {
      await engine.run('UPDATE conversations SET status = ? WHERE id = ?', [status, id]);
      const err = await attachments.add(visitorFile(id, `file-${status}-0000001`)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).code).toBe('not_with_person');
    }
    expect(await engine.stores.conversations().listMessages(id)).toEqual(before);
    expect(Number(await engine.value('SELECT count(*) FROM attachments'))).toBe(0);
  });

  it('takes an agent file only from the agent holding the chat', async () => {
    const { engine, attachments } = kit();
    const id = await assigned(engine, 'amy');
    const amy = { author: 'agent' as const, agentId: 'amy', name: 'bill.pdf', type: 'application/pdf' as const };
    const { message } = await attachments.add(visitorFile(id, 'file-agent-amy-0001', amy));
    expect(message).toMatchObject({ author: 'agent', agentId: 'amy', text: 'bill.pdf', attachment: { type: 'application/pdf' } });
    await expect(attachments.add(visitorFile(id, 'file-agent-bob-0001', { ...amy, agentId: 'bob' }))).rejects.toThrow(ConflictError);
    await engine.run("UPDATE conversations SET status = 'queued', agent_id = NULL WHERE id = ?", [id]);
    await expect(attachments.add(visitorFile(id, 'file-agent-amy-0002', amy))).rejects.toThrow(/not yours/);
    await expect(attachments.add(visitorFile('no-such-chat', 'file-nowhere-00001'))).rejects.toThrow(NotFoundError);
  });

  it('takes a colleague\'s file beside the holder named as the one who must hold it, theirs by name', async () => {
    const { engine, attachments } = kit();
    const id = await assigned(engine, 'amy');
    const bob = { author: 'agent' as const, agentId: 'bob', holder: 'amy', name: 'plan.png', type: 'image/png' as const };
    const { attachment, message } = await attachments.add(visitorFile(id, 'file-colleague-0001', bob));
    expect(attachment.agentId).toBe('bob');
    expect(message).toMatchObject({ author: 'agent', agentId: 'bob', text: 'plan.png' });
    // The holder named must hold it as the row is written: after a transfer to carl, nothing is written.
    await engine.run("UPDATE conversations SET agent_id = 'carl' WHERE id = ?", [id]);
    await expect(attachments.add(visitorFile(id, 'file-colleague-0002', bob))).rejects.toThrow(/not yours/);
    expect(Number(await engine.value('SELECT count(*) FROM attachments WHERE conversation_id = ?', [id]))).toBe(1);
  });

  it('finds an attachment only in its own conversation', async () => {
    const { engine, attachments } = kit();
    const mine = await assigned(engine, 'amy');
    const other = await assigned(engine, 'amy');
    await attachments.add(visitorFile(mine, 'file-of-mine-00001'));
    expect(await attachments.get(mine, 'file-of-mine-00001')).toBeDefined();
    expect(await attachments.get(other, 'file-of-mine-00001')).toBeUndefined();
    expect(await attachments.existing(['file-of-mine-00001', 'nobody-s-file-0001'])).toEqual(new Set(['file-of-mine-00001']));
  });

  it('notes the attachments an erasure deletes, and the erasure job removes their bytes and the notes', async () => {
    const { engine, attachments, blobs, transcripts } = kit();
    const erased = await assigned(engine, 'amy');
    const kept = await assigned(engine, 'amy');
    for (const [conversationId, key] of [[erased, 'file-erased-000001'], [erased, 'file-erased-000002'], [kept, 'file-kept-00000001']] as const) {
      await blobs.put(key, new Uint8Array([9]));
      await attachments.add(visitorFile(conversationId, key));
    }
    await engine.run("UPDATE conversations SET status = 'closed' WHERE id = ?", [erased]);
    await transcripts.delete([erased]);
    expect((await attachments.erased(10)).sort()).toEqual(['file-erased-000001', 'file-erased-000002']);
    const erasure = createAttachmentErasure({ store: attachments, blobs, clock: () => new Date() });
    expect(await erasure.removeErased()).toBe(2);
    expect(await attachments.erased(10)).toEqual([]);
    expect(await blobs.get('file-erased-000001')).toBeUndefined();
    expect(await blobs.get('file-erased-000002')).toBeUndefined();
    expect(await blobs.get('file-kept-00000001')).toEqual(new Uint8Array([9]));
    // Nothing left to do: a second run (another node, the next start) removes nothing.
    expect(await erasure.removeErased()).toBe(0);
  });
}
