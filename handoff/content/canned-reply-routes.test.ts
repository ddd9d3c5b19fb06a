// Canned replies through app.request(): shared and personal scopes, who may write which, shortcuts, search.
import { afterEach, describe, expect, it } from 'vitest';
import { addAgent, call, createKit, login, type Kit } from '../testing/agent-test-kit.ts';

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});
async function setup() {
  const k = createKit();
  kits.push(k);
  const root = await addAgent(k, 'root', { role: 'admin' });
  const alice = await addAgent(k, 'alice');
  const bob = await addAgent(k, 'bob');
  return { k, root, alice, bob, admin: await login(k, 'root'), aliceCookie: await login(k, 'alice'), bobCookie: await login(k, 'bob') };
}

async function create(k: Kit, cookie: string, body: Record<string, unknown>) {
  const res = await call(k, 'POST', '/api/agent/canned', { cookie, body });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()).reply;
}

async function list(k: Kit, cookie: string, query = '') {
  const res = await call(k, 'GET', `/api/agent/canned${query}`, { cookie });
  expect(res.status).toBe(200);
  return (await res.json()).replies as Array<{ shortcut: string; scope: string; title: string }>;
}

describe('canned replies', () => {
  it('admins add shared replies everyone sees; agents add personal ones only they see', async () => {
    const { k, alice, admin, aliceCookie, bobCookie } = await setup();
    const shared = await create(k, admin, { shortcut: '/refund', title: 'Refund policy', text: 'Refunds take 3-5 working days.', lang: 'en', shared: true });
    expect(shared).toMatchObject({ scope: 'shared', shortcut: '/refund', lang: 'en' });
    expect(shared.ownerAgentId).toBeUndefined();
    const mine = await create(k, aliceCookie, { shortcut: 'Thanks', title: '致谢', text: '感谢您的耐心等待！' });
    expect(mine).toMatchObject({ scope: 'personal', ownerAgentId: alice.id, shortcut: '/thanks' });

    // Own replies first, then the shared ones.
    expect((await list(k, aliceCookie)).map((r) => r.shortcut)).toEqual(['/thanks', '/refund']);
    expect((await list(k, bobCookie)).map((r) => r.shortcut)).toEqual(['/refund']);
    // Someone else's personal reply does not exist for bob, not even for an admin.
    expect((await call(k, 'GET', `/api/agent/canned/${mine.id}`, { cookie: bobCookie })).status).toBe(404);
    expect((await call(k, 'GET', `/api/agent/canned/${mine.id}`, { cookie: admin })).status).toBe(404);
    expect((await call(k, 'GET', `/api/agent/canned/${mine.id}`, { cookie: aliceCookie })).status).toBe(200);
    expect((await call(k, 'GET', `/api/agent/canned/${shared.id}`, { cookie: bobCookie })).status).toBe(200);
  });

  it('only admins write shared replies (403 for agents); personal ones only by their owner (404 for others)', async () => {
    const { k, admin, aliceCookie, bobCookie } = await setup();
    const denied = await call(k, 'POST', '/api/agent/canned', { cookie: aliceCookie, body: { shortcut: '/x', title: 'X', text: 'x', shared: true } });
    expect(denied.status).toBe(403);
    const shared = await create(k, admin, { shortcut: '/hours', title: 'Hours', text: '8:30-21:30', shared: true });
    expect((await call(k, 'PATCH', `/api/agent/canned/${shared.id}`, { cookie: aliceCookie, body: { text: 'always' } })).status).toBe(403);
    expect((await call(k, 'DELETE', `/api/agent/canned/${shared.id}`, { cookie: aliceCookie })).status).toBe(403);
    const mine = await create(k, aliceCookie, { shortcut: '/bye', title: 'Bye', text: 'Goodbye!' });
    expect((await call(k, 'PATCH', `/api/agent/canned/${mine.id}`, { cookie: bobCookie, body: { text: 'hijacked' } })).status).toBe(404);
    expect((await call(k, 'DELETE', `/api/agent/canned/${mine.id}`, { cookie: admin })).status).toBe(404);
    expect((await k.replies.get(mine.id)).text).toBe('Goodbye!');
    expect((await k.replies.get(shared.id)).text).toBe('8:30-21:30');
  });

  it('edits and deletes: owner for personal, admins for shared', async () => {
    const { k, admin, aliceCookie } = await setup();
    const shared = await create(k, admin, { shortcut: '/hours', title: 'Hours', text: '8:30-21:30', lang: 'en', shared: true });
    k.clock.advance(5000);
    const res = await call(k, 'PATCH', `/api/agent/canned/${shared.id}`, { cookie: admin, body: { text: '9:00-22:00', lang: null, shortcut: '/open' } });
    expect(res.status).toBe(200);
    const { reply } = await res.json();
    expect(reply).toMatchObject({ shortcut: '/open', text: '9:00-22:00', title: 'Hours', updatedAt: '2025-03-03T01:00:05.000Z' });
    expect(reply.lang).toBeUndefined();
    const mine = await create(k, aliceCookie, { shortcut: '/bye', title: 'Bye', text: 'Goodbye!' });
    expect((await call(k, 'PATCH', `/api/agent/canned/${mine.id}`, { cookie: aliceCookie, body: { title: 'Farewell' } })).status).toBe(200);
    expect((await call(k, 'DELETE', `/api/agent/canned/${mine.id}`, { cookie: aliceCookie })).status).toBe(204);
    expect((await call(k, 'GET', `/api/agent/canned/${mine.id}`, { cookie: aliceCookie })).status).toBe(404);
    expect((await call(k, 'DELETE', `/api/agent/canned/${mine.id}`, { cookie: aliceCookie })).status).toBe(404);
    expect((await call(k, 'DELETE', `/api/agent/canned/${shared.id}`, { cookie: admin })).status).toBe(204);
  });

  it('keeps shortcuts unique per owner and among shared ones (409); a personal one may shadow a shared one', async () => {
    const { k, admin, aliceCookie, bobCookie } = await setup();
    await create(k, admin, { shortcut: '/refund', title: 'Refund', text: 'shared text', shared: true });
    expect((await call(k, 'POST', '/api/agent/canned', { cookie: admin, body: { shortcut: '/REFUND', title: 'R', text: 't', shared: true } })).status).toBe(409);
    await create(k, aliceCookie, { shortcut: '/refund', title: 'My refund', text: 'my text' });
    await create(k, bobCookie, { shortcut: '/refund', title: 'Bob refund', text: 'bob text' });
    const other = await create(k, aliceCookie, { shortcut: '/other', title: 'Other', text: 'o' });
    const clash = await call(k, 'PATCH', `/api/agent/canned/${other.id}`, { cookie: aliceCookie, body: { shortcut: '/refund' } });
    expect(clash.status).toBe(409);
    // Searching the shortcut finds alice's own first, then the shared one.
    const found = await list(k, aliceCookie, '?q=/refund');
    expect(found.map((r) => [r.shortcut, r.scope])).toEqual([
      ['/refund', 'personal'],
      ['/refund', 'shared'],
    ]);
  });

  it('searches shortcut, title and text, case-insensitively, best match first, also in Chinese', async () => {
    const { k, admin, aliceCookie } = await setup();
    await create(k, admin, { shortcut: '/refund', title: 'Refund policy', text: 'Refunds take 3-5 working days.', lang: 'en', shared: true });
    await create(k, admin, { shortcut: '/ref-zh', title: '退款说明', text: '退款将在3-5个工作日内到账。', lang: 'zh', shared: true });
    await create(k, admin, { shortcut: '/invoice', title: 'Invoice after REFUND', text: 'Invoices are reissued.', lang: 'en', shared: true });
    await create(k, admin, { shortcut: '/wait', title: 'Please wait', text: 'About your refund: one moment.', shared: true });
    await create(k, admin, { shortcut: '/hello', title: 'Hello', text: 'Hi!', shared: true });

    // Exact shortcut, then shortcut prefix, then title, then text.
    expect((await list(k, aliceCookie, '?q=ref')).map((r) => r.shortcut)).toEqual(['/ref-zh', '/refund', '/invoice', '/wait']);
    expect((await list(k, aliceCookie, '?q=/refund')).map((r) => r.shortcut)).toEqual(['/refund', '/invoice', '/wait']);
    expect((await list(k, aliceCookie, '?q=REFUND')).map((r) => r.shortcut)).toEqual(['/refund', '/invoice', '/wait']);
    expect((await list(k, aliceCookie, `?q=${encodeURIComponent('退款')}`)).map((r) => r.shortcut)).toEqual(['/ref-zh']);
    expect((await list(k, aliceCookie, `?q=${encodeURIComponent('工作日')}`)).map((r) => r.shortcut)).toEqual(['/ref-zh']);
    // Language: replies for that language and for both.
    expect((await list(k, aliceCookie, '?lang=zh')).map((r) => r.shortcut)).toEqual(['/hello', '/ref-zh', '/wait']);
    expect((await list(k, aliceCookie, '?q=nothing-like-this')).length).toBe(0);
    expect((await list(k, aliceCookie, '?limit=2')).length).toBe(2);
  });

  it('answers bad input with 400 naming the field', async () => {
    const { k, aliceCookie } = await setup();
    const good = { shortcut: '/ok', title: 'T', text: 'x' };
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ title: 'T', text: 'x' }, 'missing_field', 'shortcut'],
      [{ ...good, shortcut: '/' }, 'invalid_shortcut', 'shortcut'],
      [{ ...good, shortcut: '/has space' }, 'invalid_shortcut', 'shortcut'],
      [{ ...good, shortcut: `/${'a'.repeat(33)}` }, 'invalid_shortcut', 'shortcut'],
      [{ ...good, title: '  ' }, 'invalid_title', 'title'],
      [{ ...good, text: 'x'.repeat(4001) }, 'invalid_text', 'text'],
      [{ ...good, lang: 'fr' }, 'invalid_lang', 'lang'],
      [{ ...good, shared: 'no' }, 'invalid_shared', 'shared'],
      [{ ...good, owner: 'someone' }, 'unknown_field', 'owner'],
    ];
    for (const [body, code, field] of cases) {
      const res = await call(k, 'POST', '/api/agent/canned', { cookie: aliceCookie, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error, JSON.stringify(body)).toMatchObject({ code, field });
    }
    const mine = await create(k, aliceCookie, good);
    const empty = await call(k, 'PATCH', `/api/agent/canned/${mine.id}`, { cookie: aliceCookie, body: {} });
    expect((await empty.json()).error.code).toBe('empty_patch');
    for (const [query, field] of [
      ['?lang=fr', 'lang'],
      ['?limit=0', 'limit'],
      ['?limit=201', 'limit'],
      ['?limit=ten', 'limit'],
      [`?q=${'x'.repeat(101)}`, 'q'],
    ] as const) {
      const res = await call(k, 'GET', `/api/agent/canned${query}`, { cookie: aliceCookie });
      expect(res.status, query).toBe(400);
      expect((await res.json()).error.field).toBe(field);
    }
  });

  it('needs a session for every route, and refuses a foreign Origin on changes', async () => {
    const { k, aliceCookie } = await setup();
    const mine = await create(k, aliceCookie, { shortcut: '/bye', title: 'Bye', text: 'Goodbye!' });
    for (const [method, path] of [
      ['GET', '/api/agent/canned'],
      ['GET', `/api/agent/canned/${mine.id}`],
      ['POST', '/api/agent/canned'],
      ['PATCH', `/api/agent/canned/${mine.id}`],
      ['DELETE', `/api/agent/canned/${mine.id}`],
    ] as const) {
      expect((await call(k, method, path, { body: method === 'POST' || method === 'PATCH' ? { title: 'x' } : undefined })).status).toBe(401);
    }
    const foreign = await call(k, 'DELETE', `/api/agent/canned/${mine.id}`, { cookie: aliceCookie, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await k.replies.get(mine.id)).title).toBe('Bye');
  });
});
