// The ticket store's part in getting an answer back to its visitor (issue 17), on both engines: the answer names the
// chat message that carries it, and a conversation's left messages are listed for its visitor, oldest first.
import { expect, it } from 'vitest';
import { addConversation, databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import { createPostgresTicketStore } from './postgres-ticket-store.ts';
import { createSqliteTicketStore } from './sqlite-ticket-store.ts';
import { visitorTicket, type TicketStore } from './tickets.ts';

const clock = () => new Date('2025-03-03T01:00:00.000Z');
const storeOf = (db: EngineDb): TicketStore => (db.sqlite ? createSqliteTicketStore(db.sqlite, clock) : createPostgresTicketStore(db.pg!, clock));

describeEachEngine('tickets answered back to the visitor', (engine) => {
  const open = databases(engine);

  it("ties the answer to its chat message and lists one conversation's left messages for its visitor", async () => {
    const db = await open();
    await addConversation(db, 'c1');
    await addConversation(db, 'c2');
    const tickets = storeOf(db);
    const left = { groupId: 'mobile', lang: 'zh' as const, contact: 'a@example.com', reason: 'outside_hours' as const };
    const first = await tickets.create({ ...left, conversationId: 'c1', text: '第一条留言' });
    await tickets.create({ ...left, conversationId: 'c2', text: '别人的留言' });

    const { ticket, message } = await tickets.answer(first.id, { agentId: 'a1', text: '已处理' });
    expect(message).toMatchObject({ conversationId: 'c1', author: 'agent', text: '已处理', kind: 'ticket_answer' });
    expect(ticket.answerMessageId).toBe(message!.id);
    expect((await tickets.get(first.id)).answerMessageId).toBe(message!.id);

    const second = await tickets.create({ ...left, conversationId: 'c1', text: '第二条留言' });
    const mine = await tickets.listForConversation('c1');
    expect(mine.map((t) => [t.id, t.status])).toEqual([[first.id, 'answered'], [second.id, 'open']]);
    expect(mine.map(visitorTicket)).toEqual([
      { id: first.id, text: '第一条留言', status: 'answered', createdAt: '2025-03-03T01:00:00.000Z', answer: '已处理', answeredAt: '2025-03-03T01:00:00.000Z', answerMessageId: message!.id },
      { id: second.id, text: '第二条留言', status: 'open', createdAt: '2025-03-03T01:00:00.000Z' },
    ]);
    expect(await tickets.listForConversation('nobody')).toEqual([]);
  });
});
