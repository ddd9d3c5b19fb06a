// A visitor's transcripts on both engines: found by visitor id, exported with everything stored with them, and
// erased row by row in one transaction (messages, tickets, closures, transfers, holders, and what cascades:
// unanswered questions, FAQ drafts, invitations), leaving other visitors' chats and the blocks alone.
import { expect, it } from 'vitest';
import { addConversation, databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';

const AT = (minute: number) => `2025-03-03T01:${String(minute).padStart(2, '0')}:00.000Z`;

/** Two chats of visitor v-1 (one with a ticket, a rating, a transfer and everything that hangs off a chat) and one of v-2. */
async function seed(db: EngineDb) {
  await addConversation(db, 'c-a', { visitor_id: 'v-1', client_ip: '203.0.113.7', page_url: '/broadband', created_at: AT(1), updated_at: AT(9), status: 'closed', closed_at: AT(9) });
  await addConversation(db, 'c-b', { visitor_id: 'v-1', created_at: AT(2), updated_at: AT(30), status: 'queued' });
  await addConversation(db, 'c-other', { visitor_id: 'v-2', created_at: AT(3), updated_at: AT(4) });
  const m = async (conversationId: string, author: string, text: string, minute: number, extra: Record<string, unknown> = {}) =>
    (await db.insert('messages', { conversation_id: conversationId, author, text, created_at: AT(minute), ...extra })).id as number;
  await m('c-a', 'visitor', '我的手机号13800000000', 1);
  const answer = await m('c-a', 'agent', '请稍等', 2, { agent_id: 'ag1' });
  await m('c-b', 'visitor', '宽带报修', 3);
  await m('c-other', 'visitor', 'someone else', 3);
  await db.insert('tickets', { conversation_id: 'c-a', group_id: 'mobile', lang: 'zh', contact: '13800000000', text: '回电', reason: 'by_choice', created_at: AT(5) });
  await db.insert('conversation_closures', { conversation_id: 'c-a', agent_id: 'ag1', closed_at: AT(9), closed_by: 'agent', rating: 4, rating_comment: '好', rated_at: AT(10) });
  await db.insert('conversation_closures', { conversation_id: 'c-a', agent_id: 'ag1', closed_at: AT(8), closed_by: 'agent' });
  await db.insert('conversation_transfers', { conversation_id: 'c-a', from_agent_id: 'ag1', to_agent_id: 'ag2', note: 'VIP', created_at: AT(6) });
  await db.insert('conversation_agents', { agent_id: 'ag1', conversation_id: 'c-a' });
  await db.insert('unanswered_questions', { conversation_id: 'c-a', text: 'x', norm_key: 'x', tokens: '[]', lang: 'zh', kind: 'fallback', candidates: '[]', asked_at: AT(1) });
  await db.insert('faq_drafts', { conversation_id: 'c-a', message_id: answer, created_by: 'ag1', created_at: AT(7), lang: 'zh', question: 'q', answer: 'a' });
  await db.insert('invited_conversations', { conversation_id: 'c-a', invitation_id: 'i1', kind: 'rule', rule_id: 'r1', created_at: AT(1) });
  await db.insert('visitor_blocks', { id: 'b1', kind: 'visitor', value: 'v-1', conversation_id: 'c-a', created_by: 'ag1', created_at: AT(9) });
}

describeEachEngine('visitor transcripts', (engine) => {
  const open = databases(engine);

  it('finds a visitor\'s conversations oldest first, and the statuses of named ones', async () => {
    const db = await open();
    await seed(db);
    const transcripts = db.stores.visitorTranscripts();
    expect(await transcripts.conversationsOf('v-1', 10)).toEqual(['c-a', 'c-b']);
    expect(await transcripts.conversationsOf('v-1', 1)).toEqual(['c-a']);
    expect(await transcripts.conversationsOf('v-none', 10)).toEqual([]);
    expect(await transcripts.statuses(['c-b', 'c-a', 'nope'])).toEqual(new Map([['c-a', 'closed'], ['c-b', 'queued']]));
  });

  it('exports everything stored with the named conversations, and names the missing ones', async () => {
    const db = await open();
    await seed(db);
    const out = await db.stores.visitorTranscripts().export(['c-a', 'nope']);
    expect(out.missing).toEqual(['nope']);
    expect(out.conversations).toHaveLength(1);
    const [c] = out.conversations;
    expect(c).toMatchObject({
      id: 'c-a', status: 'closed', lang: 'zh', groupId: null, visitorId: 'v-1', clientIp: '203.0.113.7', userAgent: null,
      pageUrl: '/broadband', referrer: null, createdAt: AT(1), closedAt: AT(9),
    });
    expect(c!.messages.map((m) => [m.author, m.text, m.agentId, m.createdAt])).toEqual([
      ['visitor', '我的手机号13800000000', null, AT(1)],
      ['agent', '请稍等', 'ag1', AT(2)],
    ]);
    expect(typeof c!.messages[0]!.id).toBe('number');
    expect(c!.tickets).toEqual([{ id: c!.tickets[0]!.id, contact: '13800000000', text: '回电', status: 'open', answer: null, createdAt: AT(5), answeredAt: null }]);
    expect(c!.ratings).toEqual([{ rating: 4, comment: '好', ratedAt: AT(10), closedAt: AT(9) }]);
  });

  it('describes the files sent in each exported conversation (name, type, size, sender, time), never their bytes', async () => {
    const db = await open();
    await seed(db);
    await db.insert('attachments', { id: 'AAAAAAAAAAAAAAAA-visitor', conversation_id: 'c-a', author: 'visitor', name: '账单截图.png', type: 'image/png', size: 2048, created_at: AT(3) });
    await db.insert('attachments', { id: 'BBBBBBBBBBBBBBBB-agent', conversation_id: 'c-a', author: 'agent', agent_id: 'ag1', name: 'guide.pdf', type: 'application/pdf', size: 99, created_at: AT(4) });
    await db.insert('attachments', { id: 'CCCCCCCCCCCCCCCC-other', conversation_id: 'c-other', author: 'visitor', name: 'other.gif', type: 'image/gif', size: 5, created_at: AT(4) });
    const out = await db.stores.visitorTranscripts().export(['c-a', 'c-b']);
    const [a, b] = out.conversations;
    expect(a!.attachments).toEqual([
      { id: 'AAAAAAAAAAAAAAAA-visitor', name: '账单截图.png', type: 'image/png', size: 2048, author: 'visitor', agentId: null, createdAt: AT(3) },
      { id: 'BBBBBBBBBBBBBBBB-agent', name: 'guide.pdf', type: 'application/pdf', size: 99, author: 'agent', agentId: 'ag1', createdAt: AT(4) },
    ]);
    expect(b!.attachments).toEqual([]);
    expect(JSON.stringify(out)).not.toContain('other.gif');
    expect(Object.keys(a!.attachments[0]!).sort()).toEqual(['agentId', 'author', 'createdAt', 'id', 'name', 'size', 'type']);
  });

  it('deletes the named conversations and every row of theirs, and nothing of anyone else', async () => {
    const db = await open();
    await seed(db);
    const transcripts = db.stores.visitorTranscripts();
    expect(await transcripts.delete(['c-a', 'c-b', 'nope'])).toEqual({ conversations: 2, messages: 3, tickets: 1, closures: 2, transfers: 1 });
    const left = async (table: string, column = 'conversation_id') =>
      db.value(`SELECT count(*) FROM ${table} WHERE ${column} IN ('c-a', 'c-b')`);
    for (const table of ['messages', 'tickets', 'conversation_closures', 'conversation_transfers', 'conversation_agents', 'unanswered_questions', 'faq_drafts', 'invited_conversations']) {
      expect(await left(table), table).toBe(0);
    }
    expect(await left('conversations', 'id')).toBe(0);
    // The other visitor's chat stays; a block made from an erased chat stays in force.
    expect(await db.value("SELECT count(*) FROM messages WHERE conversation_id = 'c-other'")).toBe(1);
    expect(await db.value("SELECT count(*) FROM visitor_blocks WHERE id = 'b1' AND lifted_at IS NULL")).toBe(1);
    expect(await transcripts.delete(['c-a'])).toEqual({ conversations: 0, messages: 0, tickets: 0, closures: 0, transfers: 0 });
    await transcripts.scrub();
  });

  it('rolls the whole erasure back with the unit it is part of', async () => {
    const db = await open();
    await seed(db);
    const transcripts = db.stores.visitorTranscripts();
    await expect(db.stores.unitOfWork().withTransaction(async () => {
      await transcripts.delete(['c-a']);
      throw new Error('audit row failed');
    })).rejects.toThrow('audit row failed');
    expect(await db.value("SELECT count(*) FROM messages WHERE conversation_id = 'c-a'")).toBe(2);
    expect(await db.value("SELECT count(*) FROM faq_drafts WHERE conversation_id = 'c-a'")).toBe(1);
    // scrub() inside a unit does nothing (it cannot run in a transaction); after it, it runs.
    await db.stores.unitOfWork().withTransaction(() => transcripts.scrub());
  });

  it('finds conversations nobody is serving with no activity since a time, oldest first', async () => {
    const db = await open();
    await seed(db);
    const transcripts = db.stores.visitorTranscripts();
    // c-b is queued (served by the queue), however old.
    expect(await transcripts.inactiveSince(AT(31), 10)).toEqual(['c-other', 'c-a']);
    expect(await transcripts.inactiveSince(AT(31), 1)).toEqual(['c-other']);
    expect(await transcripts.inactiveSince(AT(4), 10)).toEqual([]);
  });

  // SQLite's one writer ordered a message write and an erasure; on PostgreSQL another node's message may be in an
  // open transaction when the erasure starts: the erasure waits for it, then deletes and counts it too.
  it.runIf(engine.name === 'postgres')('counts and deletes a message another node was writing into the chat as it was erased', async () => {
    const db = await open();
    await seed(db);
    const node = await db.another();
    let commit!: () => void;
    const holding = new Promise<void>((resolve) => (commit = resolve));
    let written!: () => void;
    const inserted = new Promise<void>((resolve) => (written = resolve));
    const writer = node.stores.unitOfWork().withTransaction(async () => {
      await node.insert('messages', { conversation_id: 'c-a', author: 'visitor', text: 'late', created_at: AT(20) });
      written();
      await holding;
    });
    try {
      await inserted;
      const erasing = db.stores.visitorTranscripts().delete(['c-a']);
      await new Promise((r) => setTimeout(r, 200));
      commit();
      await writer;
      expect(await erasing).toMatchObject({ conversations: 1, messages: 3 });
      expect(await db.value("SELECT count(*) FROM messages WHERE conversation_id = 'c-a'")).toBe(0);
    } finally {
      commit();
      await writer.catch(() => {});
    }
  });
});
