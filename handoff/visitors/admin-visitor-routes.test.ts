// The admin privacy API on a real SQLite file: export a visitor's transcripts, delete them (messages,
// search index, tickets, ratings), roles, same-origin, and the audit line.
import { afterEach, describe, expect, it } from 'vitest';
import { adminVisitorRoutes } from './admin-visitor-routes.ts';
import { addAgent, call, createKit, login, type Kit } from '../testing/agent-test-kit.ts';
import { createSqliteConversationStore } from '../conversations/sqlite-conversation-store.ts';
import { createSqliteTranscriptStore } from '../search/sqlite-transcript-store.ts';
import { EVERY_CONVERSATION } from '../conversations/view-access.ts';
import { searchIndexer } from '../sqlite/search-index.ts';
import { createSqliteUnitOfWork } from '../sqlite/unit-of-work.ts';
import { createSqliteVisitorTranscripts } from './sqlite-visitor-transcripts.ts';

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});

const NOW = '2025-03-03T02:00:00.000Z';
const VISITOR = 'visitor-abcdefghij0123';

async function setup() {
  const k = createKit();
  kits.push(k);
  k.app.route('/', adminVisitorRoutes({ visitors: createSqliteVisitorTranscripts(k.db), requireAgent: k.requireAgent, log: k.log, unitOfWork: createSqliteUnitOfWork(k.db) }));
  await addAgent(k, 'root', { role: 'admin', groups: [] });
  await addAgent(k, 'alice');
  const adminCookie = await login(k, 'root');
  const agentCookie = await login(k, 'alice');
  const store = createSqliteConversationStore(k.db);
  const start = async (text: string, visitorId: string) =>
    (await store.createConversation({
      lang: 'zh',
      visitor: { visitorId, ip: '203.0.113.9' },
      firstTurn: { visitorText: text, reply: { author: 'bot', text: '好的，请稍候', kind: 'answer' } },
    })).conversation.id;
  // The visitor's two chats (one widget, one visitor id), and someone else's.
  const v1 = await start('我的号码13800138000 宽带断了 zebraword', VISITOR);
  const v2 = await start('再问一下 zebraword 账单', VISITOR);
  const other = await start('别人的 zebraword 问题', 'someone-else-0123456789');
  // v1 was closed by an agent, rated, and left a ticket.
  k.db.prepare("UPDATE conversations SET status = 'closed', agent_id = 'alice-id', closed_at = ? WHERE id = ?").run(NOW, v1);
  k.db
    .prepare("INSERT INTO conversation_closures (conversation_id, closed_at, closed_by, rating, rating_comment, rated_at) VALUES (?, ?, 'agent', 5, '很好', ?)")
    .run(v1, NOW, NOW);
  k.db
    .prepare("INSERT INTO tickets (conversation_id, group_id, lang, contact, text, reason, created_at) VALUES (?, 'broadband', 'zh', '13800138000', '明天再联系我', 'outside_hours', ?)")
    .run(v1, NOW);
  // Everything so far is in the search index; the next message still waits in the backlog (both must go).
  searchIndexer(k.db)?.catchUp();
  k.db.prepare("INSERT INTO messages (conversation_id, author, text, created_at) VALUES (?, 'visitor', '还没索引的 zebraword', ?)").run(v2, NOW);
  const transcripts = createSqliteTranscriptStore(k.db);
  const search = async (term: string) => (await transcripts.search({ terms: [term], access: EVERY_CONVERSATION, limit: 50 })).hits.map((h) => h.conversationId);
  return { k, adminCookie, agentCookie, store, v1, v2, other, search };
}

describe('admin visitor transcripts', () => {
  it('finds a visitor by the widget\'s visitor id: export and delete every conversation it started', async () => {
    const { k, adminCookie, store, v1, v2, other } = await setup();
    const res = await call(k, 'GET', `/api/admin/visitors/visitor:${VISITOR}/transcripts`, { cookie: adminCookie });
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(json.conversations.map((c: { id: string }) => c.id).sort()).toEqual([v1, v2].sort());
    expect(json.conversations[0]).toMatchObject({ visitorId: VISITOR, clientIp: '203.0.113.9' });
    expect((await call(k, 'GET', '/api/admin/visitors/visitor:no-such-visitor-000000/transcripts', { cookie: adminCookie })).status).toBe(404);
    expect((await call(k, 'GET', '/api/admin/visitors/visitor:short/transcripts', { cookie: adminCookie })).status).toBe(400);
    // More conversations than one request takes: refused as a whole (409), never cut short silently.
    const many = 'visitor-with-many-chats-00';
    const insert = k.db.prepare(`INSERT INTO conversations (id, token_hash, status, lang, visitor_id, created_at, updated_at)
      VALUES (?, randomblob(32), 'bot', 'zh', ?, '${NOW}', '${NOW}')`);
    k.db.transaction(() => { for (let i = 0; i <= 1000; i++) insert.run(`many-${i}`, many); })();
    const tooMany = await call(k, 'DELETE', `/api/admin/visitors/visitor:${many}/transcripts`, { cookie: adminCookie });
    expect(tooMany.status).toBe(409);
    expect((await tooMany.json()).error.code).toBe('too_many_conversations');
    expect(k.db.prepare('SELECT count(*) AS n FROM conversations WHERE visitor_id = ?').get(many)).toEqual({ n: 1001 });

    const deleted = await call(k, 'DELETE', `/api/admin/visitors/visitor:${VISITOR}/transcripts`, { cookie: adminCookie });
    expect(deleted.status).toBe(200);
    expect((await deleted.json()).deleted).toMatchObject({ conversations: 2 });
    await expect(store.getConversation(v1)).rejects.toThrow();
    expect((await store.getConversation(other)).id).toBe(other);
  });


  it('exports every conversation of the visitor with messages, tickets and ratings', async () => {
    const { k, adminCookie, v1, v2 } = await setup();
    const res = await call(k, 'GET', `/api/admin/visitors/${v1},${v2},nosuch/transcripts?format=json`, { cookie: adminCookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const json = await res.json();
    expect(json.missing).toEqual(['nosuch']);
    expect(json.conversations.map((c: { id: string }) => c.id).sort()).toEqual([v1, v2].sort());
    const c1 = json.conversations.find((c: { id: string }) => c.id === v1);
    expect(c1.messages.map((m: { author: string; text: string }) => [m.author, m.text])).toEqual([
      ['visitor', '我的号码13800138000 宽带断了 zebraword'],
      ['bot', '好的，请稍候'],
    ]);
    expect(c1.tickets).toMatchObject([{ contact: '13800138000', text: '明天再联系我', status: 'open' }]);
    expect(c1.ratings).toEqual([{ rating: 5, comment: '很好', ratedAt: NOW, closedAt: NOW }]);
    expect(json.conversations.find((c: { id: string }) => c.id === v2).messages).toHaveLength(3);
    // Audit: who and how much, never the text.
    const audit = k.log.lines.find((l) => l.event === 'privacy.visitor_exported');
    expect(audit).toMatchObject({ level: 'info', conversations: 2, messages: 5 });
    expect(JSON.stringify(k.log.lines)).not.toContain('13800138000');

    expect((await call(k, 'GET', '/api/admin/visitors/nosuch/transcripts', { cookie: adminCookie })).status).toBe(404);
    expect((await call(k, 'GET', `/api/admin/visitors/${v1}/transcripts?format=csv`, { cookie: adminCookie })).status).toBe(400);
    expect((await call(k, 'GET', '/api/admin/visitors/bad%20id/transcripts', { cookie: adminCookie })).status).toBe(400);
  });

  it('deletes them in one go: messages, search index, tickets, ratings; others stay', async () => {
    const { k, adminCookie, store, v1, v2, other, search } = await setup();
    expect((await search('zebraword')).sort()).toEqual([v1, v2, v2, other].sort());

    const res = await call(k, 'DELETE', `/api/admin/visitors/${v1},${v2}/transcripts`, { cookie: adminCookie });
    expect(res.status).toBe(200);
    expect((await res.json()).deleted).toEqual({ conversations: 2, messages: 5, tickets: 1, closures: 1, transfers: 0 });

    expect(await search('zebraword')).toEqual([other]);
    expect(await search('13800138000')).toEqual([]);
    expect(await search('宽带断了')).toEqual([]);
    await expect(store.listMessages(v1)).resolves.toEqual([]);
    await expect(store.getConversation(v1)).rejects.toThrow();
    expect(k.db.prepare('SELECT count(*) AS n FROM tickets').get()).toEqual({ n: 0 });
    expect(k.db.prepare('SELECT count(*) AS n FROM conversation_closures').get()).toEqual({ n: 0 });
    expect(k.db.prepare('SELECT count(*) AS n FROM conversation_agents WHERE conversation_id = ?').get(v1)).toEqual({ n: 0 });
    expect((await store.listMessages(other)).length).toBe(2);
    // The index holds exactly what the table does, and the backlog indexes cleanly.
    searchIndexer(k.db)?.catchUp();
    expect(() => k.db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").run()).not.toThrow();
    expect((await call(k, 'GET', `/api/admin/visitors/${v1}/transcripts`, { cookie: adminCookie })).status).toBe(404);

    const audit = k.log.lines.find((l) => l.event === 'privacy.visitor_deleted');
    expect(audit).toMatchObject({ level: 'info', conversations: 2, messages: 5, tickets: 1 });
    expect(typeof audit?.by).toBe('string');
    expect(JSON.stringify(k.log.lines)).not.toContain('zebraword');

    // Again: nothing left, nothing deleted.
    const again = await call(k, 'DELETE', `/api/admin/visitors/${v1},${v2}/transcripts`, { cookie: adminCookie });
    expect((await again.json()).deleted).toEqual({ conversations: 0, messages: 0, tickets: 0, closures: 0, transfers: 0 });
  });

  it('refuses a chat still queued or held by a person (409), and deletes nothing', async () => {
    const { k, adminCookie, v1, v2 } = await setup();
    k.db.prepare("UPDATE conversations SET status = 'assigned' WHERE id = ?").run(v2);
    const res = await call(k, 'DELETE', `/api/admin/visitors/${v1},${v2}/transcripts`, { cookie: adminCookie });
    expect(res.status).toBe(409);
    expect(k.db.prepare('SELECT count(*) AS n FROM conversations WHERE id IN (?, ?)').get(v1, v2)).toEqual({ n: 2 });
  });

  it('401 without a session, 403 for an agent or a foreign origin', async () => {
    const { k, adminCookie, agentCookie, v1 } = await setup();
    for (const method of ['GET', 'DELETE']) {
      const path = `/api/admin/visitors/${v1}/transcripts`;
      expect((await call(k, method, path)).status, method).toBe(401);
      const agent = await call(k, method, path, { cookie: agentCookie });
      expect(agent.status, method).toBe(403);
      expect((await agent.json()).error.code).toBe('forbidden');
    }
    const foreign = await call(k, 'DELETE', `/api/admin/visitors/${v1}/transcripts`, { cookie: adminCookie, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(k.db.prepare('SELECT count(*) AS n FROM messages WHERE conversation_id = ?').get(v1)).toEqual({ n: 2 });
  });
});
