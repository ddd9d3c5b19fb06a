// The transcript store's contract on both engines (a real SQLite file; a real PostgreSQL database where the test
// services are): the search index following the messages, holders recorded from conversations.agent_id, resume
// reads and search with every filter. SQLite-only: FTS5 trigram availability and the index rebuilt by migration
// 004 (batched indexing: search-index.test.ts); PostgreSQL-only: postgres-transcript-store.test.ts.
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MessageAuthor } from '../conversations/conversation-store.ts';
import { openDatabase } from '../sqlite/db.ts';
import { defaultMigrationsDir } from '../sqlite/migrate.ts';
import { createSqliteConversationStore } from '../conversations/sqlite-conversation-store.ts';
import { createSqliteTranscriptStore } from './sqlite-transcript-store.ts';
import { createPostgresParticipantStore } from '../collaboration/postgres-participant-store.ts';
import { createSqliteParticipantStore } from '../collaboration/sqlite-participant-store.ts';
import type { TranscriptQuery, TranscriptStore } from './transcript-store.ts';
import { EVERY_CONVERSATION, viewAccessOf } from '../conversations/view-access.ts';
import { databaseEachTest, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';

describeEachEngine('transcript store', (engine) => transcriptStoreContract(databaseEachTest(engine)));

function transcriptStoreContract(db: () => EngineDb): void {
  let transcripts: TranscriptStore;

  beforeEach(() => {
    transcripts = db().stores.transcripts();
  });

  async function conversation(): Promise<string> {
    const { conversation } = await db().stores.conversations().createConversation({ lang: 'zh' });
    return conversation.id;
  }

  async function message(conversationId: string, text: string, createdAt = '2025-03-01T04:00:00.000Z', author: MessageAuthor = 'visitor'): Promise<number> {
    return db().value<number>(
      'INSERT INTO messages (conversation_id, author, text, created_at) VALUES (?, ?, ?, ?) RETURNING id',
      [conversationId, author, text, createdAt],
    );
  }

  const assign = (conversationId: string, agentId: string | null) =>
    db().run("UPDATE conversations SET agent_id = ?, status = 'assigned' WHERE id = ?", [agentId, conversationId]);

  const search = async (terms: string[], rest: Partial<TranscriptQuery> = {}) =>
    (await transcripts.search({ terms, access: EVERY_CONVERSATION, limit: 50, ...rest })).hits.map((h) => h.text);

  describe('the index follows the messages table', () => {
    it('indexes inserts, updates and deletes (also cascaded ones)', async () => {
      const c = await conversation();
      const id = await message(c, 'my broadband is down');
      expect(await search(['broadband'])).toEqual(['my broadband is down']);
      await db().run('UPDATE messages SET text = ? WHERE id = ?', ['my fibre is down', id]);
      expect(await search(['broadband'])).toEqual([]);
      expect(await search(['fibre'])).toEqual(['my fibre is down']);
      await db().run('DELETE FROM conversations WHERE id = ?', [c]);
      expect(await search(['fibre'])).toEqual([]);
      // SQLite's FTS5 index is consistent with its content table (the check throws if not); PostgreSQL's GIN
      // index is written in the same transaction as the row, so there is nothing to check there.
      if (db().engine === 'sqlite') await db().run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    });
  });

  describe('holders', () => {
    it('records every agent who held a conversation, from conversations.agent_id', async () => {
      const c = await conversation();
      await message(c, '我要投诉');
      await assign(c, 'a1');
      await assign(c, 'a2'); // transferred
      await assign(c, null); // requeued: nobody
      await assign(c, 'a1'); // back again
      const holders = await db().rows<{ agent_id: string }>('SELECT agent_id FROM conversation_agents WHERE conversation_id = ? ORDER BY agent_id', [c]);
      expect(holders.map((h) => h.agent_id)).toEqual(['a1', 'a2']);
      expect(await search(['投诉'], { heldBy: 'a2' })).toEqual(['我要投诉']);
      expect(await search(['投诉'], { heldBy: 'a3' })).toEqual([]);
    });
  });

  describe('what the viewer may view', () => {
    // An agent's search covers exactly the chats GET /api/agent/conversations/:id opens for them (view-access.ts):
    // held now, or waiting in their groups; not one they held before a transfer or a close.
    it('an agent finds the chats they hold now and those waiting in their groups, nothing else; an admin everything', async () => {
      const setState = (status: string, agentId: string | null, groupId: string, id: string) =>
        db().run('UPDATE conversations SET status = ?, agent_id = ?, group_id = ? WHERE id = ?', [status, agentId, groupId, id]);
      const held = await conversation();
      const transferred = await conversation();
      const closed = await conversation();
      const waitingMine = await conversation();
      const waitingOther = await conversation();
      for (const [c, label] of [[held, 'held'], [transferred, 'transferred'], [closed, 'closed'], [waitingMine, 'mine'], [waitingOther, 'other']] as const) {
        await message(c, `电话 ${label}`);
      }
      await setState('assigned', 'a1', 'mobile', held);
      await setState('assigned', 'a1', 'mobile', transferred);
      await setState('assigned', 'a2', 'mobile', transferred);
      await setState('assigned', 'a1', 'mobile', closed);
      await setState('closed', 'a1', 'mobile', closed);
      await setState('queued', null, 'mobile', waitingMine);
      await setState('queued', null, 'billing', waitingOther);

      const a1 = viewAccessOf({ id: 'a1', role: 'agent', groups: ['mobile'] });
      expect((await search(['电话'], { access: a1 })).sort()).toEqual(['电话 held', '电话 mine']);
      // The short-term path (LIKE, no index) applies the same rule.
      expect((await search(['电'], { access: a1 })).sort()).toEqual(['电话 held', '电话 mine']);
      // Held-by is a filter on top, never access: a1 held `transferred` and `closed` once, yet finds neither.
      expect(await search(['电话'], { access: a1, heldBy: 'a1' })).toEqual(['电话 held']);
      const a2 = viewAccessOf({ id: 'a2', role: 'agent', groups: ['billing'] });
      expect((await search(['电话'], { access: a2 })).sort()).toEqual(['电话 other', '电话 transferred']);
      expect(await search(['电话'], { access: viewAccessOf({ id: 'a3', role: 'agent', groups: [] }) })).toEqual([]);
      expect(await search(['电话'], { access: viewAccessOf({ id: 'boss', role: 'admin', groups: [] }) })).toHaveLength(5);
    });

    // A colleague who joined the holder's chat views it (handoff/collaboration/): search finds it for them too, for
    // as long as that holding lasts; an invitation, a departure or a holding that ended gives nothing.
    it('a colleague finds the chat they joined while its holder keeps it, and nothing after', async () => {
      const participants = db().sqlite ? createSqliteParticipantStore(db().sqlite!) : createPostgresParticipantStore(db().pg!);
      const at = '2025-03-03T01:00:00.000Z';
      const c = await conversation();
      await message(c, '宽带 colleague-case');
      await db().run("UPDATE conversations SET status = 'assigned', agent_id = 'a1', group_id = 'mobile', assigned_at = ? WHERE id = ?", [at, c]);
      const holding = { conversationId: c, ownerId: 'a1', ownerAssignedAt: at };
      const b1 = viewAccessOf({ id: 'b1', role: 'agent', groups: [] });
      const b2 = viewAccessOf({ id: 'b2', role: 'agent', groups: [] });
      await participants.invite(holding, { agentId: 'b1', invitedBy: 'a1', max: 3 });
      await participants.invite(holding, { agentId: 'b2', invitedBy: 'a1', max: 3 });
      // Invited is not in.
      expect(await search(['宽带'], { access: b1 })).toEqual([]);
      await participants.respond(holding, 'b1', 'joined');
      expect(await search(['宽带'], { access: b1 })).toEqual(['宽带 colleague-case']);
      // The short-term path (LIKE, no index) and the holder filter apply the same rule.
      expect(await search(['宽'], { access: b1 })).toEqual(['宽带 colleague-case']);
      expect(await search(['宽带'], { access: b1, heldBy: 'b1' })).toEqual([]);
      expect(await search(['宽带'], { access: b2 })).toEqual([]);
      // Another holding (a requeue and a take, a transfer): the place ended with the one it was in.
      await db().run("UPDATE conversations SET assigned_at = '2025-03-03T01:30:00.000Z' WHERE id = ?", [c]);
      expect(await search(['宽带'], { access: b1 })).toEqual([]);
      await db().run('UPDATE conversations SET assigned_at = ? WHERE id = ?', [at, c]);
      await participants.respond(holding, 'b1', 'left');
      expect(await search(['宽带'], { access: b1 })).toEqual([]);
    });
  });

  describe('messagesAfter / latestMessageId', () => {
    it('reads several conversations after an id, in id order, in pages', async () => {
      const x = await conversation();
      const y = await conversation();
      const z = await conversation();
      const ids: number[] = [];
      for (const [c, text] of [[x, 'x1'], [y, 'y1'], [z, 'z1'], [x, 'x2'], [y, 'y2']] as const) ids.push(await message(c, text));
      expect((await transcripts.messagesAfter([x, y], 0, 100)).map((m) => m.text)).toEqual(['x1', 'y1', 'x2', 'y2']);
      expect((await transcripts.messagesAfter([x, y], ids[1]!, 100)).map((m) => m.id)).toEqual([ids[3], ids[4]]);
      expect((await transcripts.messagesAfter([x, y], 0, 2)).map((m) => m.text)).toEqual(['x1', 'y1']);
      expect(await transcripts.messagesAfter([], 0, 100)).toEqual([]);
      expect(await transcripts.latestMessageId()).toBe(ids[4]);
    });

    it('says which agent wrote an agent message', async () => {
      const x = await conversation();
      await db().run("INSERT INTO messages (conversation_id, author, text, agent_id, created_at) VALUES (?, 'agent', 'hi', 'a1', 't')", [x]);
      expect((await transcripts.messagesAfter([x], 0, 10))[0]).toMatchObject({ author: 'agent', agentId: 'a1' });
    });
  });

  describe('search', () => {
    let c1: string;
    let c2: string;
    beforeEach(async () => {
      c1 = await conversation();
      c2 = await conversation();
      await message(c1, '我想查询话费余额', '2025-03-01T02:00:00.000Z');
      await message(c1, 'How do I top up my BALANCE by SMS?', '2025-03-01T03:00:00.000Z');
      await message(c2, '宽带报修，光猫红灯', '2025-03-02T02:00:00.000Z');
      await message(c2, '上个月话费账单有误', '2025-03-03T02:00:00.000Z', 'agent');
      await message(c2, '100% off_peak "quoted" \\ slash', '2025-03-03T03:00:00.000Z');
    });

    it('finds Chinese substrings of any length and English words in any case, newest first', async () => {
      expect(await search(['话费'])).toEqual(['上个月话费账单有误', '我想查询话费余额']);
      expect(await search(['查询话费'])).toEqual(['我想查询话费余额']);
      expect(await search(['光猫红灯'])).toEqual(['宽带报修，光猫红灯']);
      expect(await search(['balance'])).toEqual(['How do I top up my BALANCE by SMS?']);
      expect(await search(['Top'])).toEqual(['How do I top up my BALANCE by SMS?']);
      expect(await search(['流量'])).toEqual([]);
    });

    it('needs every term (long and short mixed)', async () => {
      expect(await search(['话费', '账单'])).toEqual(['上个月话费账单有误']);
      expect(await search(['balance', 'SMS'])).toEqual(['How do I top up my BALANCE by SMS?']);
      expect(await search(['balance', '宽带'])).toEqual([]);
    });

    it('treats query syntax and LIKE wildcards as plain text', async () => {
      expect(await search(['100%'])).toEqual(['100% off_peak "quoted" \\ slash']);
      expect(await search(['%'])).toEqual(['100% off_peak "quoted" \\ slash']);
      expect(await search(['f_p'])).toEqual(['100% off_peak "quoted" \\ slash']);
      expect(await search(['_'])).toEqual(['100% off_peak "quoted" \\ slash']);
      expect(await search(['"quoted"'])).toEqual(['100% off_peak "quoted" \\ slash']);
      expect(await search(['\\'])).toEqual(['100% off_peak "quoted" \\ slash']);
      expect(await search(['OR'])).toEqual([]);
      expect(await search(['NEAR(a'])).toEqual([]);
      expect(await search(['*'])).toEqual([]);
    });

    it('filters by time, status and holder, and pages with before', async () => {
      expect(await search(['话费'], { from: '2025-03-02T00:00:00.000Z' })).toEqual(['上个月话费账单有误']);
      expect(await search(['话费'], { to: '2025-03-02T00:00:00.000Z' })).toEqual(['我想查询话费余额']);
      await db().run("UPDATE conversations SET status = 'closed' WHERE id = ?", [c2]);
      expect(await search(['话费'], { status: 'closed' })).toEqual(['上个月话费账单有误']);
      const hits = (await transcripts.search({ access: EVERY_CONVERSATION, terms: ['话费'], limit: 50 })).hits;
      expect(hits.map((h) => h.status)).toEqual(['closed', 'bot']);
      expect(hits[0]).toMatchObject({ conversationId: c2, author: 'agent', createdAt: '2025-03-03T02:00:00.000Z' });

      const first = await transcripts.search({ access: EVERY_CONVERSATION, terms: ['话费'], limit: 1 });
      expect(first.more).toBe(true);
      const second = await transcripts.search({ access: EVERY_CONVERSATION, terms: ['话费'], limit: 1, before: first.hits[0]!.messageId });
      expect(second.more).toBe(false);
      expect(second.hits.map((h) => h.text)).toEqual(['我想查询话费余额']);

      await assign(c1, 'a1');
      expect(await search(['话费'], { heldBy: 'a1' })).toEqual(['我想查询话费余额']);
      expect(await search(['balance'], { heldBy: 'a1' })).toEqual(['How do I top up my BALANCE by SMS?']);
      expect(await search(['账单'], { heldBy: 'a1' })).toEqual([]);
    });
  });
}

describe('the bundled SQLite', () => {
  it('has FTS5 with the trigram tokenizer (migration 004 depends on it)', () => {
    const memory = new Database(':memory:');
    try {
      const options = memory.pragma('compile_options', { simple: false }) as Array<{ compile_options: string }>;
      expect(options.map((o) => o.compile_options)).toContain('ENABLE_FTS5');
      memory.exec("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'trigram')");
      memory.prepare('INSERT INTO t (x) VALUES (?)').run('我想查询话费余额');
      expect(memory.prepare('SELECT x FROM t WHERE t MATCH ?').pluck().all('"查询话费"')).toHaveLength(1);
      // Why short terms take the LIKE path: the trigram index finds nothing shorter than three characters.
      expect(memory.prepare('SELECT x FROM t WHERE t MATCH ?').pluck().all('"话费"')).toHaveLength(0);
    } finally {
      memory.close();
    }
  });
});

describe('the FTS5 index (SQLite)', () => {
  it('indexes messages written before the migration (rebuild)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'transcripts-old-'));
    const earlier = mkdtempSync(join(tmpdir(), 'migrations-'));
    try {
      for (const file of readdirSync(defaultMigrationsDir).filter((f) => f.endsWith('.sql') && f < '004')) {
        copyFileSync(join(defaultMigrationsDir, file), join(earlier, file));
      }
      const before = openDatabase(dataDir, { migrationsDir: earlier });
      const { conversation: c } = await createSqliteConversationStore(before).createConversation({
        lang: 'zh',
        firstTurn: { visitorText: '积分怎么兑换', reply: { author: 'bot', text: '登录网上营业厅兑换积分' } },
      });
      before.close();

      const after = openDatabase(dataDir);
      try {
        const hits = await createSqliteTranscriptStore(after).search({ access: EVERY_CONVERSATION, terms: ['积分'], limit: 10 });
        expect(hits.hits.map((h) => [h.conversationId, h.text])).toEqual([
          [c.id, '登录网上营业厅兑换积分'],
          [c.id, '积分怎么兑换'],
        ]);
        expect(after.prepare('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?').pluck().get('"营业厅"')).toBe(1);
      } finally {
        after.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(earlier, { recursive: true, force: true });
    }
  });
});

