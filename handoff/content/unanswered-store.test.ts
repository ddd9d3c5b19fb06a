// The unanswered-question store on both engines: one conversation cannot flood the editors' inbox (not even
// through several nodes at once), the inbox's filters and order, and dismissing rows once.
import { expect, it } from 'vitest';
import { addConversation, databases, describeEachEngine } from '../testing/engine-databases.ts';
import { MAX_PER_CONVERSATION } from './unanswered-store.ts';
import type { UnansweredRecord } from './unanswered-store.ts';

const NOW = '2025-03-03T01:00:00.000Z';
const miss = (conversationId: string, text: string, extra: Partial<UnansweredRecord> = {}): UnansweredRecord => ({
  conversationId, text, normKey: text, tokens: [text], lang: 'zh', kind: 'fallback', reason: 'no_match',
  candidates: [], askedAt: NOW, ...extra,
});

describeEachEngine('unanswered store', (engine) => {
  const open = databases(engine);

  it(`keeps at most ${MAX_PER_CONVERSATION} questions of one conversation; others are still recorded`, async () => {
    const db = await open();
    const store = db.stores.unanswered();
    await addConversation(db, 'junk');
    await addConversation(db, 'real');
    for (let i = 0; i < 3 * MAX_PER_CONVERSATION; i++) await store.record(miss('junk', `垃圾${i}`));
    await store.record(miss('real', '宽带怎么办停机保号'));
    const count = (id: string) => db.value('SELECT count(*) AS n FROM unanswered_questions WHERE conversation_id = ?', [id]);
    expect(await count('junk')).toBe(MAX_PER_CONVERSATION);
    expect(await count('real')).toBe(1);
  });

  it(`keeps at most ${MAX_PER_CONVERSATION} even when turns of one conversation are recorded by several nodes at once`, async () => {
    const db = await open();
    await addConversation(db, 'junk');
    const nodes = [db, ...(await Promise.all([1, 2, 3].map(() => db.another())))];
    const stores = nodes.map((node) => node.stores.unanswered());
    await Promise.all(nodes.map((node) => node.value('SELECT 1')));
    await Promise.all(Array.from({ length: 3 * MAX_PER_CONVERSATION }, (_, i) => stores[i % stores.length]!.record(miss('junk', `垃圾${i}`))));
    expect(await db.value('SELECT count(*) FROM unanswered_questions')).toBe(MAX_PER_CONVERSATION);
  });

  it('lists open questions newest first, filtered by period and language, as recorded', async () => {
    const db = await open();
    const store = db.stores.unanswered();
    await addConversation(db, 'c1');
    await store.record(miss('c1', 'a', { askedAt: '2025-03-03T01:00:00.000Z' }));
    await store.record(miss('c1', 'b', { askedAt: '2025-03-03T02:00:00.000Z', lang: 'en', kind: 'clarify', candidates: [{ entryId: 'x.y', score: 0.42 }] }));
    const { reason: _omitted, ...noReason } = miss('c1', 'c', { askedAt: '2025-03-03T03:00:00.000Z' });
    await store.record(noReason);
    const all = await store.listOpen({ limit: 10 });
    expect(all.map((r) => r.text)).toEqual(['c', 'b', 'a']);
    expect(all[1]).toEqual({
      id: all[1]!.id, conversationId: 'c1', text: 'b', normKey: 'b', tokens: ['b'], lang: 'en', kind: 'clarify', reason: 'no_match',
      candidates: [{ entryId: 'x.y', score: 0.42 }], askedAt: '2025-03-03T02:00:00.000Z',
    });
    expect(all[0]).not.toHaveProperty('reason');
    expect((await store.listOpen({ from: '2025-03-03T02:00:00.000Z', limit: 10 })).map((r) => r.text)).toEqual(['c', 'b']);
    expect((await store.listOpen({ to: '2025-03-03T02:00:00.000Z', limit: 10 })).map((r) => r.text)).toEqual(['b', 'a']);
    expect((await store.listOpen({ lang: 'zh', limit: 10 })).map((r) => r.text)).toEqual(['c', 'a']);
    expect((await store.listOpen({ limit: 1 })).map((r) => r.text)).toEqual(['c']);
  });

  it('marks rows handled once: counts only those still open, and they leave the inbox', async () => {
    const db = await open();
    const store = db.stores.unanswered();
    await addConversation(db, 'c1');
    for (const t of ['a', 'b', 'c']) await store.record(miss('c1', t));
    const [c, b] = await store.listOpen({ limit: 10 });
    expect(await store.markHandled([c!.id, b!.id], NOW)).toBe(2);
    expect(await store.markHandled([c!.id, b!.id, 9999], NOW)).toBe(0);
    expect(await store.markHandled([], NOW)).toBe(0);
    expect((await store.listOpen({ limit: 10 })).map((r) => r.text)).toEqual(['a']);
  });
});
