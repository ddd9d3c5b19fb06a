// Categories of canned replies (issue 17): stored and filtered alike on both engines, and through the HTTP routes
// (create, update, clear, the ?category= filter, bad input).
import { afterEach, describe, expect, it } from 'vitest';
import { databases, describeEachEngine } from '../testing/engine-databases.ts';
import { addAgent, call, createKit, login, testClock, type Kit } from '../testing/agent-test-kit.ts';

const HASH = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

describeEachEngine('canned-reply categories in the store', (engine) => {
  const open = databases(engine);

  it('stores, changes, clears and filters by category; a search and a category combine', async () => {
    const db = await open();
    const clock = testClock().clock;
    const agents = db.stores.agents({ clock });
    const alice = await agents.create({ username: 'alice', displayName: 'alice', role: 'agent', groups: ['mobile'], capacity: 3, passwordHash: HASH });
    const replies = db.stores.cannedReplies({ clock });
    const bill = await replies.create({ ownerAgentId: null, shortcut: '/bill', title: '账单', text: '账单查询', category: '账单' });
    await replies.create({ ownerAgentId: alice.id, shortcut: '/invoice', title: '发票', text: '发票开具', category: '账单' });
    await replies.create({ ownerAgentId: null, shortcut: '/net', title: '宽带', text: '宽带报修', category: '宽带故障' });
    const plain = await replies.create({ ownerAgentId: null, shortcut: '/hi', title: 'Hi', text: '您好' });
    expect(bill.category).toBe('账单');
    expect(plain.category).toBeUndefined();

    expect((await replies.list(alice.id, { category: '账单' })).map((r) => r.shortcut)).toEqual(['/invoice', '/bill']);
    expect((await replies.list(alice.id, { category: '账单', q: '发票' })).map((r) => r.shortcut)).toEqual(['/invoice']);
    expect((await replies.list(alice.id, { category: '没有' })).length).toBe(0);
    expect((await replies.list(alice.id)).length).toBe(4);

    expect((await replies.update(plain.id, { category: '问候' })).category).toBe('问候');
    expect((await replies.update(plain.id, { title: 'Hello' })).category).toBe('问候');
    expect((await replies.update(plain.id, { category: null })).category).toBeUndefined();
    expect((await replies.get(bill.id)).category).toBe('账单');
  });
});

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});

describe('canned-reply categories over HTTP', () => {
  async function setup() {
    const k = createKit();
    kits.push(k);
    await addAgent(k, 'root', { role: 'admin' });
    await addAgent(k, 'alice');
    return { k, admin: await login(k, 'root'), alice: await login(k, 'alice') };
  }

  it('creates with a category, lists by ?category=, moves and clears it with PATCH', async () => {
    const { k, admin, alice } = await setup();
    const create = async (cookie: string, body: Record<string, unknown>) => {
      const res = await call(k, 'POST', '/api/agent/canned', { cookie, body });
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json()).reply;
    };
    const shared = await create(admin, { shortcut: '/bill', title: '账单', text: '账单查询', category: '  账单  ', shared: true });
    expect(shared.category).toBe('账单');
    const link = await create(alice, { shortcut: '/app', title: 'App', text: '下载营业厅 App: https://example.com/app', category: '链接' });
    await create(alice, { shortcut: '/hi', title: 'Hi', text: '您好' });

    const list = async (query: string) => {
      const res = await call(k, 'GET', `/api/agent/canned${query}`, { cookie: alice });
      expect(res.status).toBe(200);
      return ((await res.json()).replies as Array<{ shortcut: string; category?: string }>).map((r) => r.shortcut);
    };
    expect(await list('?category=' + encodeURIComponent('账单'))).toEqual(['/bill']);
    expect(await list('?category=' + encodeURIComponent('链接'))).toEqual(['/app']);
    expect((await list('?category=')).length).toBe(3);

    const moved = await call(k, 'PATCH', `/api/agent/canned/${link.id}`, { cookie: alice, body: { category: '账单' } });
    expect((await moved.json()).reply).toMatchObject({ category: '账单', text: '下载营业厅 App: https://example.com/app' });
    expect(await list('?category=' + encodeURIComponent('账单'))).toEqual(['/app', '/bill']);
    const cleared = await call(k, 'PATCH', `/api/agent/canned/${link.id}`, { cookie: alice, body: { category: null } });
    expect((await cleared.json()).reply.category).toBeUndefined();
  });

  it('400 for a bad category in a body or the query, never a 500', async () => {
    const { k, alice } = await setup();
    for (const category of ['', '   ', 'x'.repeat(41), 42, ['a'], { a: 1 }, '\u0000\u0001']) {
      const res = await call(k, 'POST', '/api/agent/canned', { cookie: alice, body: { shortcut: '/x', title: 'X', text: 'x', category } });
      expect(res.status, JSON.stringify(category)).toBe(400);
      expect((await res.json()).error).toMatchObject({ field: 'category' });
    }
    const long = await call(k, 'GET', `/api/agent/canned?category=${'x'.repeat(41)}`, { cookie: alice });
    expect(long.status).toBe(400);
    expect((await long.json()).error).toMatchObject({ code: 'invalid_category', field: 'category' });
  });
});
