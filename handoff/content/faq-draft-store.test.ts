// The FAQ draft store on both engines: drafts stored and listed as the routes show them, the moves an editor
// may make (and the one of two concurrent editors that wins), the chat's messages a draft is made from, and
// every trace by which an agent counts as having held a chat.
import { expect, it } from 'vitest';
import { addConversation, databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import type { NewFaqDraft } from './faq-draft-store.ts';

const AT = (minute: number) => `2025-03-03T01:${String(minute).padStart(2, '0')}:00.000Z`;

async function message(db: EngineDb, conversationId: string, author: string, text: string, extra: Record<string, unknown> = {}): Promise<number> {
  const row = await db.insert('messages', { conversation_id: conversationId, author, text, created_at: AT(0), ...extra });
  return row.id as number;
}

describeEachEngine('faq draft store', (engine) => {
  const open = databases(engine);

  async function seeded() {
    const db = await open();
    await addConversation(db, 'c1');
    const q = await message(db, 'c1', 'visitor', '宽带怎么办停机保号');
    const bot = await message(db, 'c1', 'bot', '正在为您转接', { kind: 'handoff' });
    const answer = await message(db, 'c1', 'agent', '拨打10010办理', { agent_id: 'a-amy' });
    const draft = (extra: Partial<NewFaqDraft> = {}): NewFaqDraft => ({
      conversationId: 'c1', messageId: answer, createdBy: 'a-amy', createdAt: AT(5), lang: 'zh', question: '宽带怎么办停机保号', answer: '拨打10010办理', ...extra,
    });
    return { db, drafts: db.stores.faqDrafts(), q, bot, answer, draft };
  }

  it('stores a draft and lists drafts of a status newest first', async () => {
    const { drafts, draft } = await seeded();
    const first = await drafts.create(draft({ suggestedEntry: 'broadband.suspend' }));
    expect(first).toEqual({ ...draft({ suggestedEntry: 'broadband.suspend' }), id: first.id, status: 'open' });
    const second = await drafts.create(draft({ createdAt: AT(6) }));
    expect(second).not.toHaveProperty('suggestedEntry');
    expect(await drafts.get(first.id)).toEqual(first);
    expect(await drafts.get(9999)).toBeUndefined();
    expect((await drafts.list({ status: 'open', limit: 10 })).map((d) => d.id)).toEqual([second.id, first.id]);
    expect((await drafts.list({ status: 'open', limit: 1 })).map((d) => d.id)).toEqual([second.id]);
    expect(await drafts.list({ status: 'used', limit: 10 })).toEqual([]);
  });

  it('moves a draft only from open, or used again from used', async () => {
    const { drafts, draft } = await seeded();
    const d = await drafts.create(draft());
    const used = await drafts.handle(d.id, 'used', 'a-ed', AT(10));
    expect(used).toMatchObject({ status: 'used', handledBy: 'a-ed', handledAt: AT(10) });
    expect(await drafts.handle(d.id, 'used', 'a-ed2', AT(11))).toMatchObject({ status: 'used', handledBy: 'a-ed2' });
    expect(await drafts.handle(d.id, 'dismissed', 'a-ed', AT(12))).toBeUndefined();
    const e = await drafts.create(draft());
    expect(await drafts.handle(e.id, 'dismissed', 'a-ed', AT(13))).toMatchObject({ status: 'dismissed' });
    expect(await drafts.handle(e.id, 'used', 'a-ed', AT(14))).toBeUndefined();
    expect(await drafts.handle(9999, 'used', 'a-ed', AT(14))).toBeUndefined();
  });

  it('lets only one of two editors dismissing one draft at once win (on two connections)', async () => {
    const { db, drafts, draft } = await seeded();
    const d = await drafts.create(draft());
    const other = (await db.another()).stores.faqDrafts();
    await other.get(d.id);
    const [a, b] = await Promise.all([drafts.handle(d.id, 'dismissed', 'a-ed', AT(20)), other.handle(d.id, 'dismissed', 'a-ed2', AT(20))]);
    expect([a, b].filter((x) => x !== undefined)).toHaveLength(1);
  });

  it('reads the chat\'s messages: one by id (not another chat\'s), and those before it, newest first', async () => {
    const { db, drafts, q, bot, answer } = await seeded();
    await addConversation(db, 'c2');
    const foreign = await message(db, 'c2', 'agent', 'elsewhere', { agent_id: 'a-amy' });
    expect(await drafts.message('c1', answer)).toEqual({ id: answer, author: 'agent', text: '拨打10010办理' });
    expect(await drafts.message('c1', bot)).toEqual({ id: bot, author: 'bot', text: '正在为您转接', kind: 'handoff' });
    expect(await drafts.message('c1', foreign)).toBeUndefined();
    expect((await drafts.messagesBefore('c1', answer, 10)).map((m) => m.id)).toEqual([bot, q]);
    expect((await drafts.messagesBefore('c1', answer, 1)).map((m) => m.id)).toEqual([bot]);
  });

  it('counts the holder, a transfer party, the author of a reply and the closer as having held the chat', async () => {
    const { db, drafts } = await seeded();
    await db.run('UPDATE conversations SET agent_id = ? WHERE id = ?', ['a-holder', 'c1']);
    await db.insert('conversation_transfers', { conversation_id: 'c1', from_agent_id: 'a-from', to_agent_id: 'a-to', created_at: AT(1) });
    await db.insert('conversation_closures', { conversation_id: 'c1', agent_id: 'a-closer', closed_at: AT(2), closed_by: 'agent' });
    for (const agent of ['a-holder', 'a-from', 'a-to', 'a-amy', 'a-closer']) expect(await drafts.hasHeld('c1', agent), agent).toBe(true);
    expect(await drafts.hasHeld('c1', 'a-stranger')).toBe(false);
    expect(await drafts.hasHeld('nope', 'a-holder')).toBe(false);
  });
});
