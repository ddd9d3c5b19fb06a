// The canned-reply store on both engines: limits, unknown ids, shortcut conflicts, the ranking of a search,
// Unicode-aware folding, and the per-owner limit held when several nodes add at once.
import { expect, it } from 'vitest';
import { databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import { testClock } from '../testing/agent-test-kit.ts';
import type { AgentRecord } from '../agents/agent-store.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';
import type { CannedReplyStore } from './canned-reply-store.ts';

const HASH = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

describeEachEngine('canned-reply store', (engine) => {
  const open = databases(engine);
  async function kit(): Promise<{ db: EngineDb; replies: CannedReplyStore; addAgent(name: string): Promise<AgentRecord> }> {
    const db = await open();
    const clock = testClock().clock;
    const agents = db.stores.agents({ clock });
    return {
      db,
      replies: db.stores.cannedReplies({ clock }),
      addAgent: (username) => agents.create({ username, displayName: username, role: 'agent', groups: ['mobile'], capacity: 3, passwordHash: HASH }),
    };
  }

  it('caps the replies per owner, each scope counted on its own', async () => {
    const k = await kit();
    const alice = await k.addAgent('alice');
    const store = k.db.stores.cannedReplies({ maxPerOwner: 2 });
    await store.create({ ownerAgentId: alice.id, shortcut: '/a', title: 'A', text: 'a' });
    await store.create({ ownerAgentId: alice.id, shortcut: '/b', title: 'B', text: 'b' });
    await expect(store.create({ ownerAgentId: alice.id, shortcut: '/c', title: 'C', text: 'c' })).rejects.toBeInstanceOf(ConflictError);
    await store.create({ ownerAgentId: null, shortcut: '/c', title: 'C', text: 'c' });
  });

  it('NotFoundError for unknown ids on get, update and delete', async () => {
    const k = await kit();
    await expect(k.replies.get('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(k.replies.update('nope', { title: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(k.replies.delete('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('folds case beyond ASCII and full-width forms when searching', async () => {
    const k = await kit();
    const alice = await k.addAgent('alice');
    await k.replies.create({ ownerAgentId: null, shortcut: '/summer', title: 'ÉTÉ offer', text: 'Ｓｐｅｃｉａｌ price' });
    expect((await k.replies.list(alice.id, { q: 'été' })).map((r) => r.shortcut)).toEqual(['/summer']);
    expect((await k.replies.list(alice.id, { q: 'special' })).map((r) => r.shortcut)).toEqual(['/summer']);
  });

  it('treats LIKE and regex characters in the query as plain text', async () => {
    const k = await kit();
    const alice = await k.addAgent('alice');
    await k.replies.create({ ownerAgentId: null, shortcut: '/pct', title: '100% refund', text: 'x' });
    await k.replies.create({ ownerAgentId: null, shortcut: '/other', title: 'other', text: 'y' });
    expect((await k.replies.list(alice.id, { q: '%' })).map((r) => r.shortcut)).toEqual(['/pct']);
    expect((await k.replies.list(alice.id, { q: '_' })).map((r) => r.shortcut)).toEqual([]);
    expect((await k.replies.list(alice.id, { q: '/' })).length).toBe(2);
  });

  it('clears the language with lang: null and keeps it when absent', async () => {
    const k = await kit();
    const r = await k.replies.create({ ownerAgentId: null, shortcut: '/x', title: 'X', text: 'x', lang: 'zh' });
    expect((await k.replies.update(r.id, { title: 'Y' })).lang).toBe('zh');
    expect((await k.replies.update(r.id, { lang: null })).lang).toBeUndefined();
  });

  it('ranks exact shortcut, prefix, contains, title, text; personal before shared; then by shortcut', async () => {
    const k = await kit();
    const alice = await k.addAgent('alice');
    const bob = await k.addAgent('bob');
    const add = (owner: string | null, shortcut: string, title: string, text: string, lang?: 'zh' | 'en') =>
      k.replies.create({ ownerAgentId: owner, shortcut, title, text, ...(lang ? { lang } : {}) });
    await add(null, '/note', 'about a refund', 'x');
    await add(null, '/refund-late', 'late', 'x');
    await add(alice.id, '/refund-fast', 'fast', 'x');
    await add(null, '/refund', 'exact', 'x');
    await add(null, '/cash', 'cash', 'we refund in 3 days', 'en');
    await add(null, '/prerefund', 'pre', 'x', 'zh');
    await add(bob.id, '/refund-bob', 'not alice\'s', 'x');
    // exact 0, prefix 1 (personal first, then by shortcut), contains 2, title 3, text 4; bob's never.
    expect((await k.replies.list(alice.id, { q: 'Refund' })).map((r) => r.shortcut)).toEqual([
      '/refund', '/refund-fast', '/refund-late', '/prerefund', '/note', '/cash',
    ]);
    expect((await k.replies.list(alice.id, { q: '/refund', lang: 'zh' })).map((r) => r.shortcut)).toEqual([
      '/refund', '/refund-fast', '/refund-late', '/prerefund', '/note',
    ]);
    expect((await k.replies.list(alice.id, { q: 'refund', limit: 2 })).map((r) => r.shortcut)).toEqual(['/refund', '/refund-fast']);
    // No query: everything the agent may see, personal first, then by shortcut.
    expect((await k.replies.list(alice.id)).map((r) => r.shortcut)).toEqual([
      '/refund-fast', '/cash', '/note', '/prerefund', '/refund', '/refund-late',
    ]);
    expect((await k.replies.list(alice.id))[0]).toMatchObject({ scope: 'personal', ownerAgentId: alice.id, title: 'fast' });
  });

  it('refuses a shortcut taken in the same scope, on create and on update, and allows it in another', async () => {
    const k = await kit();
    const alice = await k.addAgent('alice');
    const shared = await k.replies.create({ ownerAgentId: null, shortcut: '/hi', title: 'Hi', text: 'hello' });
    await expect(k.replies.create({ ownerAgentId: null, shortcut: '/hi', title: 'Hi 2', text: 'hello' })).rejects.toThrow(/among the shared replies/);
    const mine = await k.replies.create({ ownerAgentId: alice.id, shortcut: '/hi', title: 'Mine', text: 'hey' });
    const other = await k.replies.create({ ownerAgentId: alice.id, shortcut: '/bye', title: 'Bye', text: 'bye' });
    await expect(k.replies.update(other.id, { shortcut: '/hi' })).rejects.toThrow(/among your replies/);
    // Renaming a reply to its own shortcut is no conflict.
    expect((await k.replies.update(mine.id, { shortcut: '/hi', text: 'hey!' })).text).toBe('hey!');
    await k.replies.delete(shared.id);
    await expect(k.replies.get(shared.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  // SQLite's write lock kept the count and the insert together; on PostgreSQL nodes adding at once must not pass the cap.
  it('never passes the per-owner cap when several nodes add at once', async () => {
    const k = await kit();
    const alice = await k.addAgent('alice');
    const nodes = [k.db, ...(await Promise.all([1, 2, 3, 4].map(() => k.db.another())))];
    const stores = nodes.map((node) => node.stores.cannedReplies({ maxPerOwner: 3 }));
    await Promise.all(stores.map((s) => s.list(alice.id)));
    await stores[0]!.create({ ownerAgentId: alice.id, shortcut: '/a0', title: 'A', text: 'a' });
    const settled = await Promise.allSettled(stores.map((s, i) => s.create({ ownerAgentId: alice.id, shortcut: `/n${i}`, title: 'N', text: 'n' })));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(2);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(ConflictError);
    expect(await k.db.value('SELECT count(*) FROM canned_replies WHERE owner_agent_id = ?', [alice.id])).toBe(3);
  });
});
