// The canned library's links and files in the store, on both engines: kinds kept and filtered, a file's fields round
// trip, a delete hands back the file to remove, the schema refuses a personal link or a file without its fields, and
// the library's bytes are stored apart from a chat's attachments (a folder of their own, or canned_file_blobs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import { testClock } from '../testing/agent-test-kit.ts';
import type { AttachmentBlobs } from '../conversations/attachments/attachment-blobs.ts';
import { createFolderAttachmentBlobs } from '../conversations/attachments/folder-attachment-blobs.ts';
import { createPostgresAttachmentBlobs } from '../conversations/attachments/postgres-attachment-blobs.ts';
import type { CannedReplyStore } from './canned-reply-store.ts';

const HASH = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const FILE = { id: 'AAAAbbbbCCCCdddd0123_-', name: '资费表.pdf', type: 'application/pdf' as const, size: 1234 };

describeEachEngine('canned library store (links and files)', (engine) => {
  const open = databases(engine);
  async function kit(): Promise<{ db: EngineDb; replies: CannedReplyStore; agentId: string }> {
    const db = await open();
    const clock = testClock().clock;
    const agent = await db.stores.agents({ clock }).create({ username: 'alice', displayName: 'alice', role: 'agent', groups: ['mobile'], capacity: 3, passwordHash: HASH });
    return { db, replies: db.stores.cannedReplies({ clock }), agentId: agent.id };
  }

  it('keeps each kind, a link with its url and a file with its fields; texts stay texts', async () => {
    const { replies, agentId } = await kit();
    const text = await replies.create({ ownerAgentId: null, shortcut: '/hours', title: 'Hours', text: '8:30-21:30' });
    const link = await replies.create({ ownerAgentId: null, kind: 'link', shortcut: '/plans', title: '5G 套餐', text: 'https://www.example.cn/plans/5g' });
    const file = await replies.create({ ownerAgentId: null, kind: 'file', shortcut: '/fees', title: '资费表', text: FILE.name, file: FILE, category: '账单' });
    expect(text).toMatchObject({ kind: 'text', scope: 'shared' });
    expect(text.url).toBeUndefined();
    expect(text.file).toBeUndefined();
    expect(link).toMatchObject({ kind: 'link', url: 'https://www.example.cn/plans/5g', text: 'https://www.example.cn/plans/5g' });
    expect(file).toMatchObject({ kind: 'file', text: FILE.name, file: FILE, category: '账单' });
    expect(await replies.get(file.id)).toEqual(file);

    // Filtered by kind, and found by a file's name or a link's address like any text.
    expect((await replies.list(agentId, { kind: 'file' })).map((r) => r.shortcut)).toEqual(['/fees']);
    expect((await replies.list(agentId, { kind: 'link' })).map((r) => r.shortcut)).toEqual(['/plans']);
    expect((await replies.list(agentId, { kind: 'text' })).map((r) => r.shortcut)).toEqual(['/hours']);
    expect((await replies.list(agentId, { q: '资费' })).map((r) => r.shortcut)).toEqual(['/fees']);
    expect((await replies.list(agentId, { q: 'example.cn' })).map((r) => r.shortcut)).toEqual(['/plans']);

    // A title change keeps the file; a delete hands back what was deleted, the file's key with it.
    expect((await replies.update(file.id, { title: 'Fees' })).file).toEqual(FILE);
    const deleted = await replies.delete(file.id);
    expect(deleted.file).toEqual(FILE);
    expect((await replies.list(agentId, { kind: 'file' })).length).toBe(0);
  });

  it('refuses in the schema a personal link or file, and a file entry without its file', async () => {
    const { db, agentId } = await kit();
    const row = (over: Record<string, unknown>) => ({
      id: `id-${Math.random()}`, owner_agent_id: null, shortcut: `/s${Math.floor(Math.random() * 1e6)}`, title: 't', text: 'x',
      created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z', ...over,
    });
    await expect(db.insert('canned_replies', row({ owner_agent_id: agentId, kind: 'link', text: 'https://a.example/' }))).rejects.toThrow();
    await expect(db.insert('canned_replies', row({ kind: 'file' }))).rejects.toThrow();
    await expect(db.insert('canned_replies', row({ kind: 'text', file_id: FILE.id, file_type: FILE.type, file_size: 3 }))).rejects.toThrow();
    await expect(db.insert('canned_replies', row({ kind: 'file', file_id: '../../etc/passwd', file_type: FILE.type, file_size: 3 }))).rejects.toThrow();
    await expect(db.insert('canned_replies', row({ kind: 'file', file_id: FILE.id, file_type: 'text/html', file_size: 3 }))).rejects.toThrow();
    await expect(db.insert('canned_replies', row({ kind: 'movie' }))).rejects.toThrow();
    // A personal text is still fine.
    await db.insert('canned_replies', row({ owner_agent_id: agentId }));
  });

  it("stores the library's bytes apart from a chat's attachments; PostgreSQL removes them with the entry", async () => {
    const { db, replies } = await kit();
    const dir = mkdtempSync(path.join(tmpdir(), 'canned-files-'));
    try {
      const files: AttachmentBlobs = db.pg ? createPostgresAttachmentBlobs(db.pg, 'canned_file_blobs') : createFolderAttachmentBlobs(dir);
      const chatFiles: AttachmentBlobs = db.pg ? createPostgresAttachmentBlobs(db.pg) : createFolderAttachmentBlobs(path.join(dir, 'chat'));
      const bytes = new Uint8Array([37, 80, 68, 70, 45]);
      await files.put(FILE.id, bytes);
      expect(await files.get(FILE.id)).toEqual(bytes);
      expect(await chatFiles.get(FILE.id)).toBeUndefined();
      const entry = await replies.create({ ownerAgentId: null, kind: 'file', shortcut: '/fees', title: 'Fees', text: FILE.name, file: FILE });
      await replies.delete(entry.id);
      if (db.pg) expect(await files.get(FILE.id)).toBeUndefined();
      // The embedded store's folder is emptied by the route after the row (canned-reply-routes.ts).
      await files.delete([FILE.id]);
      expect(await files.get(FILE.id)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
