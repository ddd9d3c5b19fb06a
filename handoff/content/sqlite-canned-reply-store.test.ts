// The canned-reply store on a real SQLite file: limits, unknown ids, Unicode-aware search.
import { afterEach, describe, expect, it } from 'vitest';
import { addAgent, createKit, type Kit } from '../testing/agent-test-kit.ts';
import { ConflictError, NotFoundError } from '../platform/errors.ts';
import { createSqliteCannedReplyStore } from './sqlite-canned-reply-store.ts';

const kits: Kit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.close();
});
function kit(): Kit {
  const k = createKit();
  kits.push(k);
  return k;
}

describe('SqliteCannedReplyStore', () => {
  it('caps the replies per owner, each scope counted on its own', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    const store = createSqliteCannedReplyStore(k.db, { maxPerOwner: 2 });
    await store.create({ ownerAgentId: alice.id, shortcut: '/a', title: 'A', text: 'a' });
    await store.create({ ownerAgentId: alice.id, shortcut: '/b', title: 'B', text: 'b' });
    await expect(store.create({ ownerAgentId: alice.id, shortcut: '/c', title: 'C', text: 'c' })).rejects.toBeInstanceOf(ConflictError);
    await store.create({ ownerAgentId: null, shortcut: '/c', title: 'C', text: 'c' });
  });

  it('NotFoundError for unknown ids on get, update and delete', async () => {
    const k = kit();
    await expect(k.replies.get('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(k.replies.update('nope', { title: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(k.replies.delete('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('folds case beyond ASCII and full-width forms when searching', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    await k.replies.create({ ownerAgentId: null, shortcut: '/summer', title: 'ÉTÉ offer', text: 'Ｓｐｅｃｉａｌ price' });
    expect((await k.replies.list(alice.id, { q: 'été' })).map((r) => r.shortcut)).toEqual(['/summer']);
    expect((await k.replies.list(alice.id, { q: 'special' })).map((r) => r.shortcut)).toEqual(['/summer']);
  });

  it('treats LIKE and regex characters in the query as plain text', async () => {
    const k = kit();
    const alice = await addAgent(k, 'alice');
    await k.replies.create({ ownerAgentId: null, shortcut: '/pct', title: '100% refund', text: 'x' });
    await k.replies.create({ ownerAgentId: null, shortcut: '/other', title: 'other', text: 'y' });
    expect((await k.replies.list(alice.id, { q: '%' })).map((r) => r.shortcut)).toEqual(['/pct']);
    expect((await k.replies.list(alice.id, { q: '_' })).map((r) => r.shortcut)).toEqual([]);
    expect((await k.replies.list(alice.id, { q: '/' })).length).toBe(2);
  });

  it('clears the language with lang: null and keeps it when absent', async () => {
    const k = kit();
    const r = await k.replies.create({ ownerAgentId: null, shortcut: '/x', title: 'X', text: 'x', lang: 'zh' });
    expect((await k.replies.update(r.id, { title: 'Y' })).lang).toBe('zh');
    expect((await k.replies.update(r.id, { lang: null })).lang).toBeUndefined();
  });
});
